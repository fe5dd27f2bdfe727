"""What every context uses: errors, time spans, converters, access, platforms, media facts."""
