"""`tap preflight`: read-only checks of the target account before `cdktf deploy`."""
