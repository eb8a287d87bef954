"""Early warnings for the credit office (预警): re-establishment (易地开张) and later kinds."""
