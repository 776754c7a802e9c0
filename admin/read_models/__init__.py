"""The panel's read models: what its pages show, in a few queries each (the writes go through domain/)."""
