"""Development-only helpers: the embedded local AWS stack. Never shipped in the Lambda package."""
