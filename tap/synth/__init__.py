"""`tap synth`: one synth path for the CLI, the tests and `cdktf synth`, and its content-addressed cache."""
