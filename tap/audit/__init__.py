"""`tap audit`: scan (checkov), waivers, the PCI DSS mapping, the verdict, the reports, live results."""
