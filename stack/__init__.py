"""The payment processing stack, in CDKTF Python."""
