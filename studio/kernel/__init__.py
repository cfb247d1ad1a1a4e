"""The plumbing every part of the studio shares, importing nothing else of the project: the session clock,
stream specs and ring buffers, event logs and cursors, errors, the two worker classes, and native-stderr
silencing. Sensors import only this of the core; fusion imports none of it."""
