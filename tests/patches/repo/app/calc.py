"""Arithmetic helpers."""


def add(a, b):
    return a + b


def scale(x, factor):
    return x * factor


def clamp(x, lo, hi):
    return max(lo, min(x, hi))


class Meter:
    def __init__(self, unit):
        self.unit = unit

    def render(self, value):
        return f"{value} {self.unit}"
