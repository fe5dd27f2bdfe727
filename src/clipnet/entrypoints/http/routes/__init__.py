"""Route handlers, one module per resource. Each handler: parse, authorise, call, render."""
