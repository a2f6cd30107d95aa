"""The whole chain as one pure state machine: every rule of the model behind one `process_action`.

Actions are data, so a sequence of them is a replayable trace: the stateful machines generate
them, counterexamples are recorded as them, and a plain random walk (benchmarks) drives them.
"""
