"""`tap synth`: one synth path for the CLI, the tests and `cdktf synth`, its content-addressed cache, and
`tap engines diff` (both engines' plans compared)."""
