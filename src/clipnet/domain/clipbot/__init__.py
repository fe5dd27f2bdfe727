"""ClipBOT: chat commands, channels, cooldowns, votes, replies and platform-made clips."""
