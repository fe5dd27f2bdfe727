"""Publishing: posts of a clip on a platform and the post jobs."""
