"""transcribe layer."""
