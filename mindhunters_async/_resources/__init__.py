"""Resources: one module per group of operations, each a thin layer over `Resource._send`.

Nothing is imported here: the client imports each group's module when its property is
first read (`client.calls`, ...), so `import mindhunters_async` does not load them all.
"""
