"""Counting: parameters, buffers, MACs and activation memory of layers, blocks and ResNets."""
