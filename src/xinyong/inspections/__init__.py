"""双随机、一公开: inspection items, graded supervision and verifiable draws."""
