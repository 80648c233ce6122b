"""Alert digests: who wants which mail about which credentials, and the digests sent."""
