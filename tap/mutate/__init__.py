"""The mutation campaign: misconfigurations made on purpose, and which layer of the suite notices each."""
