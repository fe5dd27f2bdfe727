"""RunPod serverless: the API client, and the transcriber and vision ports over it."""
