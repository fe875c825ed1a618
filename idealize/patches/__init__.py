"""Stage 4, patches: read edits (``edits``), place them with repair layers (``repair``),
validate them in a throwaway worktree (``sandbox``), per unit (``stage``); ``apply``
writes chosen patches to the user's tree."""
