"""`idealize eval`: prompt variants x models x drift cases with ground truth, with statistics."""
