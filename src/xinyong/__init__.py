"""xinyong: a public credit information platform for credit-based supervision."""

__version__ = "0.1.0"
