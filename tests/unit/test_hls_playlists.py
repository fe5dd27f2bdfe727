"""Reading HLS playlists for a VOD's download: the best variant, segments in order (an fMP4
init section first), relative URIs joined, and the kinds that cannot be fetched refused."""

from __future__ import annotations

import pytest

from clipnet.adapters.media_fetch.downloader import playlist_segments, playlist_variants
from clipnet.ports.media import MediaError

BASE = "https://cdn.example.net/vod/123/index.m3u8"


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.strip().splitlines()]


def test_a_master_playlists_variants_come_lowest_bandwidth_first() -> None:
    master = lines(
        """
        #EXTM3U
        #EXT-X-STREAM-INF:BANDWIDTH=6000000,RESOLUTION=1920x1080,CODECS="avc1.64002A,mp4a.40.2"
        1080p/index.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360
        https://other.example.net/360p.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=3000000,RESOLUTION=1280x720
        720p/index.m3u8
        """
    )
    assert playlist_variants(BASE, master) == [
        "https://other.example.net/360p.m3u8",
        "https://cdn.example.net/vod/123/720p/index.m3u8",
        "https://cdn.example.net/vod/123/1080p/index.m3u8",
    ]


def test_a_media_playlist_is_no_master() -> None:
    assert playlist_variants(BASE, lines("#EXTM3U\n#EXTINF:2.0,\n0.ts\n#EXT-X-ENDLIST")) == []


def test_segments_come_in_play_order_after_the_init_section() -> None:
    media = lines(
        """
        #EXTM3U
        #EXT-X-TARGETDURATION:10
        #EXT-X-MAP:URI="init.mp4"
        #EXTINF:10.0,
        0.m4s
        #EXTINF:10.0,
        /abs/1.m4s
        #EXTINF:4.0,
        2.m4s?token=a,b
        #EXT-X-ENDLIST
        """
    )
    assert playlist_segments(BASE, media) == [
        "https://cdn.example.net/vod/123/init.mp4",
        "https://cdn.example.net/vod/123/0.m4s",
        "https://cdn.example.net/abs/1.m4s",
        "https://cdn.example.net/vod/123/2.m4s?token=a,b",
    ]


@pytest.mark.parametrize(
    ("tag", "reason"),
    [
        ('#EXT-X-KEY:METHOD=AES-128,URI="key.bin"', "encrypted HLS streams"),
        ("#EXT-X-BYTERANGE:1000@0", "byte-range HLS playlists"),
    ],
)
def test_playlists_that_cannot_be_fetched_segment_by_segment_are_refused(
    tag: str, reason: str
) -> None:
    with pytest.raises(MediaError, match=reason):
        playlist_segments(BASE, ["#EXTM3U", tag, "#EXTINF:2.0,", "0.ts"])


def test_an_unencrypted_key_tag_is_no_refusal() -> None:
    assert playlist_segments(BASE, ["#EXTM3U", "#EXT-X-KEY:METHOD=NONE", "#EXTINF:2,", "0.ts"]) == [
        "https://cdn.example.net/vod/123/0.ts"
    ]
