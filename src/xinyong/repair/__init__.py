"""Credit repair (信用修复): eligibility, applications on the workflow kernel, their effects, re-check sampling."""
