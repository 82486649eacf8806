"""阜阳好物: the public showcase of Fuyang's producers, brands and listings (no sign-in)."""
