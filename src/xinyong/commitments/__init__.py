"""Credit commitments (信用承诺) and integrity education (诚信教育)."""
