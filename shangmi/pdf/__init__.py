"""PDF generation shared by certificates and reports."""
