"""The payment platform's compliance policies, run by checkov (`tap audit`).

One policy per file: its id is its file name and its class name. Python files are
resource checks; YAML files are graph checks over connected resources. Which compliance
requirements a policy evidences lives only in `pci_dss_v4.toml`.
"""
