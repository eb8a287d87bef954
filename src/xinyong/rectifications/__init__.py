"""Rectification by deadline (限期整改) and interviews (提示约谈 / 警示约谈)."""
