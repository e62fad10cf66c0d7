"""(preset being written)"""
