"""Fetching source media from URLs: the guarded HTTP client, the streaming downloader (files
and HLS playlists) and the yt-dlp page resolver."""
