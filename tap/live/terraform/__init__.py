"""The real engine: Terraform on a synthesized plan, with the providers this machine holds (no registry)."""
