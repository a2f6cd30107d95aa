"""Where a function runs: a sandbox per (app, node), a fresh forked process per call.

`launch` builds the command for this machine's best mode, `zygote` is the only code that runs
inside, `client` is the node's side of it, and `isolation` says what the sandbox was measured to
have. The node's protocol side (salts, hashing, commit, reveal) stays outside, in the node.
"""
