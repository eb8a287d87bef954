"""The public portal (信用中国 style): 双公示 listings, list pages, the subject page's tabs."""
