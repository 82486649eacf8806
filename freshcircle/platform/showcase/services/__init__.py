"""What the public showcase shows: only public facts, never a price."""
