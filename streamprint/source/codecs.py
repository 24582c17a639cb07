"""What each decoder can skip and how it threads best: one rule per FFmpeg decoder, stated
here and nowhere else (read by :mod:`.decode`).

Found by decoding clips of each codec with Debian's FFmpeg through PyAV (tests/test_codecs.py
checks the consequences on every codec an encoder is available for):

- FFmpeg's h264, hevc, mpeg2video and mpeg4 decoders honour ``skip_frame``: NONKEY delivers
  the keyframes alone without decoding the rest, NONREF drops frames nothing references (the
  B-frames of MPEG-2 and MPEG-4 Part 2 are never references) leaving every other frame as it was.
- Xvid and DivX in AVI often pack a B-frame into the chunk of the reference before it: the
  B-frame has no packet of its own to skip. Such streams are unpacked in memory first
  (:mod:`.mpeg4`; the decoder delivers the same frames: tested), and their B-frames skipped as
  on any MPEG-4 stream. Keyframes only, they stay packed (every B-frame is skipped anyway).
- FFmpeg's vp9 decoder ignores ``skip_frame``: with NONKEY it still decodes and delivers every
  frame. libdav1d (AV1) decodes every frame whatever ``skip_frame`` says. A keyframe packet
  decodes alone in both (a VP9 keyframe; an AV1 temporal unit holding a KEY_FRAME), so keyframes
  only means sending the decoder nothing but keyframe packets. AV1 marks the frames nothing
  references in each frame header (:mod:`.av1`), so those packets are not sent either when no
  sample needs them.
- VP9 frames that refresh no reference slot (``refresh_frame_flags`` 0) are still not
  dropped: unlike AV1, whose decoder state lives in the reference slots, a VP9 frame leaves
  state behind for the frame decoded after it: its motion vectors and segmentation map
  (the next frame predicts from the previous decoded frame's, unless it is error-resilient,
  intra-only or of another size), and, with ``refresh_frame_context``, the saved
  probabilities; loop-filter deltas and segmentation features carry over too (VP9
  bitstream spec; FFmpeg's vp9 decoder keeps the previous frame as ``LAST_FRAME`` whatever
  it refreshes). Dropping one would change the frames after it, so on VP9 the default
  sampling decodes every frame.
- HEVC keyframes of an open GOP are CRA pictures, which do not reset the picture order
  count; sent alone more than half the POC range apart (x265's default: 128 frames of 256),
  the decoder (FFmpeg 8, PyAV 18) derives their order wrongly, hands them out swapped in
  pairs and loses some (a 60-s clip gave pts 10.4, 0, 31.3, 20.8, 52.1 s for keyframes at 0,
  10.4, 20.8, 31.3, 41.7, 52.1 s). Keyframes only, it is drained and reset after each
  keyframe, as after a seek, so each comes out on its own.
- H.264 the same: with open GOPs (x264 ``--open-gop``, Blu-ray encodes: I-frames with
  recovery points, whose leading B-frames follow them in decode order), NONKEY alone gave
  a 120-frame MKV with keyframes at 0, 24, 48, 72, 96 three samples, frames 48, 49 and 50
  (the decoder handed out pts 49, 22, 1). Keyframe packets only, drained and reset after
  each, give the five.
- FFmpeg's own vp8 and vp9 decoders ignore the alpha a WebM (Matroska) carries beside each
  frame (BlockAdditional 1, the track tagged ``alpha_mode`` 1): their frames are yuv420p and
  the transparent pixels counted as colour. libvpx's decoders (``libvpx``, ``libvpx-vp9``)
  decode it into yuva420p (FFmpeg passes the packets' BlockAdditional on to them), so such a
  track is decoded by them; any other VP8/VP9 stream keeps FFmpeg's own, which is faster
  (frame threads). Keyframes only works as with FFmpeg's own: they too ignore
  ``skip_frame`` and get the keyframe packets alone. libvpx's VP8 decoder tags no matrix
  where FFmpeg's vp8 decoder tags BT.601 (BT.470BG), VP8's only one (RFC 6386, section 9.2):
  its frames take BT.601 (a 1280 x 720 frame would otherwise be read as BT.709).
  The alpha is a stream of its own, encoded by a second libvpx encoder: forced keyframes fall
  on the same frames, but each places its own at a scene cut (a 2-s clip cut at 1 s had a
  keyframe there and an inter-coded alpha frame), and their periodic keyframes drift apart
  after. Keyframes only, such a keyframe's alpha is decoded from the last alpha sent, not its
  own references, and may be wrong: a warning says so (:func:`alpha_keyframe`).
- h264, hevc and vp9 with frame threads: two per core, not FFmpeg's one per core plus one.
  With the default sampling on two cores, 4 threads took 11 % less time than 3 on the 1080p
  H.264 and the 4K HEVC benchmark clips (non-reference frames skipped), 4 % less on VP9, and
  decoding every frame 1-4 % less; libdav1d, mpeg2video and mpeg4 gained nothing or lost.
- dav1d runs its own thread pool and by default holds several frames in flight; keyframes
  only, one frame in flight (``max_frame_delay`` 1) hands each keyframe back when it is sent,
  not several keyframes later (on a live stream that is minutes). It costs no measurable time:
  0.07-0.10 s for the 9 keyframes of the 60-s AV1 benchmark clip either way. With one frame
  in flight dav1d can only spread a frame's own work over its threads, and those threads
  then fought the clustering of the keyframe before for the cores: keyframes only, it gets
  one core fewer than there are. On two cores (one dav1d thread) the whole ``--fast``
  process on that clip took 6 % less time (0.321 s against 0.343 s, medians of 11 rounds).
  The other decoders lost with fewer threads (h264 4 %, hevc 9 %, vp9 20 %) or gained
  nothing measurable (mpeg2video, mpeg4).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import av

log = logging.getLogger("streamprint")


@dataclass(frozen=True)
class DecoderRules:
    """How streamprint drives one decoder."""

    nonref_skip: bool = True
    """Dropping non-reference frames (NONREF) leaves every other frame's decode unchanged, so
    the default sampling may use it."""
    nonref_skip_in_avi: bool = False
    """... also in AVI. AVI stores no presentation times: its packets' pts are what FFmpeg
    derives, and skipping reasons from them (which frames a sample may need, how many the
    decoder dropped). For MPEG-1/2 and MPEG-4 Part 2 FFmpeg derives them right (their
    parsers know the B-frames; tests/test_codecs.py, tests/test_containers.py). For H.264
    they are decode order (dts + 1), and skipping by them counted 410 frames in a 288-frame
    AVI and sampled other frames than decoding everything. AVI only: in ASF (timed by dts
    too) MPEG-2 skipping counted 263 frames of 250."""
    keyframe_packets: bool = False
    """Keyframes only: send the decoder only keyframe packets (for decoders that ignore
    ``skip_frame``; a keyframe packet decodes alone)."""
    nonref_packets: str | None = None
    """Non-reference frames are found in the packets by the parser of this name ("av1":
    :mod:`.av1`) and not sent at all (for decoders that ignore ``skip_frame``)."""
    keyframe_drain: bool = False
    """Keyframes only: drain the decoder after each keyframe packet and reset it, so each
    keyframe comes out on its own (with ``keyframe_packets``)."""
    unpack_bframes: bool = False
    """Packed B-frames are unpacked before decoding (:mod:`.mpeg4`), except keyframes only."""
    frame_threads_per_core: int = 0
    """With the thread count left at 0 and more than keyframes decoded: this many frame threads
    per core (at most :data:`MAX_THREADS`) instead of FFmpeg's one per core plus one. 0: FFmpeg's."""
    thread_type: str = "AUTO"
    """Threading when every frame is decoded."""
    keyframe_thread_type: str = "SLICE"
    """Threading for keyframes only: frame threads would pay a hand-over per skipped packet
    (measured 2.3x slower than slice threads on a 1080p H.264 clip)."""
    options: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Decoder options (AVOptions) when every frame is decoded."""
    keyframe_options: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Decoder options for keyframes only."""
    keyframe_spare_cores: int = 0
    """Keyframes only, with the thread count left at 0: the decoder gets this many cores
    fewer than there are (at least one thread), left to converting and clustering each
    keyframe as the next one decodes. 0: the decoder's own choice."""
    matrix: int | None = None
    """The Y'CbCr matrix (H.273 MatrixCoefficients code) of every frame of this decoder whose
    own is unspecified, whatever the container says: the codec has no other. None: the
    container's tag, if any."""


#: Rules for decoders that ignore skip_frame: keyframes come from the packets.
_IGNORES_SKIP = DecoderRules(nonref_skip=False, keyframe_packets=True)
#: AV1 decoders: non-reference temporal units are read from the bitstream and not sent.
_AV1 = DecoderRules(nonref_skip=True, nonref_packets="av1", keyframe_packets=True)

#: FFmpeg warns above 16 threads (MAX_AUTO_THREADS); each frame thread holds frames in flight.
MAX_THREADS = 16

RULES: Mapping[str, DecoderRules] = MappingProxyType({
    "h264": DecoderRules(keyframe_packets=True, keyframe_drain=True, frame_threads_per_core=2),
    "hevc": DecoderRules(keyframe_packets=True, keyframe_drain=True, frame_threads_per_core=2),
    "mpeg2video": DecoderRules(nonref_skip_in_avi=True),
    "mpeg1video": DecoderRules(nonref_skip_in_avi=True),
    "mpeg4": DecoderRules(unpack_bframes=True, nonref_skip_in_avi=True),
    "vp9": replace(_IGNORES_SKIP, frame_threads_per_core=2),
    "vp8": _IGNORES_SKIP,
    "libvpx-vp9": _IGNORES_SKIP,
    "libvpx": replace(_IGNORES_SKIP, matrix=5),  # VP8: BT.601 (5, BT.470BG), as FFmpeg's vp8 tags it
    "libdav1d": DecoderRules(nonref_skip=True, nonref_packets="av1",
                             keyframe_packets=True, keyframe_thread_type="AUTO",
                             keyframe_options=MappingProxyType({"max_frame_delay": "1"}),
                             keyframe_spare_cores=1),
    # an animation's frames are drawn over the frame before; only its first is flagged a
    # keyframe, so keyframes only would be one picture: every frame is shown (they ignore
    # skip_frame), as before keyframe packets were the rule for decoders without one
    "gif": DecoderRules(nonref_skip=False),
    "apng": DecoderRules(nonref_skip=False),
    "libaom-av1": _AV1,
    "av1": _AV1,
})

#: Any other decoder: never asked to drop non-reference frames, which has not been checked
#: for it; keyframes only, sent nothing but keyframe packets. Many ignore ``skip_frame``
#: (Cinepak, FFV1, RealVideo 1/2, GIF, Snow, ZMBV, SMC, QuickTime RLE, Flash Screen Video
#: delivered every frame with NONKEY), and some do not flag their frames as keyframes (SMC,
#: QuickTime RLE, SVQ1, MS Video 1), so the packets' flags, which the demuxer sets from the
#: container's index, are what tells.
UNKNOWN = DecoderRules(nonref_skip=False, keyframe_packets=True)


def rules_for(decoder: str) -> DecoderRules:
    """The rules for an FFmpeg decoder by its name (``codec_context.codec.name``)."""
    return RULES.get(decoder, UNKNOWN)


def cores() -> int:
    """The cores this process may run on (as FFmpeg counts them)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def configure(ctx: object, keyframes_only: bool, threads: int) -> DecoderRules:
    """Set up a decoder's threads, options and ``skip_frame`` before its first packet (they
    cannot change afterwards); returns its rules."""
    codec = getattr(ctx, "codec", None)
    rules = rules_for(getattr(codec, "name", "") or "")
    ctx.thread_type = rules.keyframe_thread_type if keyframes_only else rules.thread_type  # type: ignore[attr-defined]
    if threads == 0 and not keyframes_only and rules.frame_threads_per_core:
        threads = min(MAX_THREADS, rules.frame_threads_per_core * cores())
    if threads == 0 and keyframes_only and rules.keyframe_spare_cores:
        threads = min(MAX_THREADS, max(1, cores() - rules.keyframe_spare_cores))
    ctx.thread_count = threads  # type: ignore[attr-defined]
    options = rules.keyframe_options if keyframes_only else rules.options
    if options:
        ctx.options = {**ctx.options, **options}  # type: ignore[attr-defined]
    if keyframes_only:
        ctx.skip_frame = "NONKEY"  # type: ignore[attr-defined]  # also where ignored: harmless
    return rules


#: FFmpeg's own decoders that drop the alpha of a WebM track, and libvpx's that decode it.
ALPHA_DECODERS: Mapping[str, str] = MappingProxyType({"vp8": "libvpx", "vp9": "libvpx-vp9"})


def has_alpha_track(stream: Any) -> bool:
    """Whether a Matroska/WebM track says its frames carry alpha (``AlphaMode`` 1, which
    FFmpeg's demuxer gives as the stream tag ``alpha_mode``)."""
    tags = {str(k).lower(): str(v).strip() for k, v in (getattr(stream, "metadata", None) or {}).items()}
    return tags.get("alpha_mode") == "1"


def decoder_for(stream: Any, name: str = "") -> Any:
    """The codec context to decode ``stream`` with: its own (FFmpeg's decoder, set up from
    the stream's parameters), or, for a VP8/VP9 track with alpha, a libvpx one
    (:data:`ALPHA_DECODERS`) given the stream's size and colour tags, when this FFmpeg has
    it (else a warning; ``name``: the input's)."""
    ctx = stream.codec_context
    libvpx = ALPHA_DECODERS.get(getattr(ctx, "name", "") or "")
    if libvpx is None or not has_alpha_track(stream):
        return ctx
    if libvpx not in av.codecs_available:
        log.warning("%s: this FFmpeg has no %s decoder: the alpha of its %s track is ignored (its transparent "
                    "pixels count as colour)", name, libvpx, ctx.name)
        return ctx
    alpha = av.CodecContext.create(libvpx, "r")
    for attr in ("width", "height", "color_range", "color_primaries", "color_trc", "colorspace"):
        setattr(alpha, attr, getattr(ctx, attr))
    if ctx.extradata:
        alpha.extradata = ctx.extradata
    return alpha


def open_decoder(stream: Any, keyframes_only: bool, threads: int, name: str = "") -> tuple[Any, DecoderRules]:
    """The codec context that decodes ``stream`` (:func:`decoder_for`; ``name``: the input's),
    set up by :func:`configure`, and its rules."""
    ctx = decoder_for(stream, name)
    return ctx, configure(ctx, keyframes_only, threads)


def stream_tags(stream: Any, rules: DecoderRules) -> tuple[int | None, int | None, int | None]:
    """(transfer, matrix, primaries) for frames that leave theirs unspecified
    (:func:`.hdr.inherit_stream_tags`): the stream's, the matrix the decoder's rules state
    (:attr:`DecoderRules.matrix`) over the stream's."""
    ctx = stream.codec_context
    matrix = rules.matrix if rules.matrix is not None else ctx.colorspace
    return ctx.color_trc, matrix, ctx.color_primaries


#: The BlockAdditional of a Matroska block that holds its frame's alpha (BlockAddID 1).
_ALPHA_ADDITIONAL = 1


def alpha_keyframe(packet: Any, decoder: str) -> bool | None:
    """Whether the alpha frame a WebM packet carries beside a VP8/VP9 frame decoded by libvpx
    (``decoder`` ``libvpx`` or ``libvpx-vp9``) is a keyframe; None when it carries none, or
    another decoder. VP8: the frame tag's bit 0 is 0 (RFC 6386, section 9.1); VP9: the
    uncompressed header's frame_type is 0, after frame_marker, the profile bits (one more
    for profile 3) and show_existing_frame (VP9 bitstream spec, section 6.2)."""
    if decoder not in ("libvpx", "libvpx-vp9") or not packet.has_sidedata("matroska_block_additional"):
        return None
    data = bytes(packet.get_sidedata("matroska_block_additional"))
    if len(data) < 9 or int.from_bytes(data[:8], "big") != _ALPHA_ADDITIONAL:
        return None
    head = data[8]
    if decoder == "libvpx":
        return head & 1 == 0
    profile = (head >> 5 & 1) | (head >> 4 & 1) << 1
    bit = 3 if profile < 3 else 2                              # show_existing_frame; frame_type follows
    return not head >> bit & 1 and not head >> (bit - 1) & 1   # a shown frame, and a keyframe


def alpha_decoder(ctx: Any) -> bool:
    """Whether ``ctx`` is a libvpx decoder :func:`decoder_for` chose for a WebM track's alpha.
    Its alpha frames are a second stream with keyframes of their own, so such a track is
    read from its beginning: a part (``start``) by decoding up to it, and a checkpoint is
    not resumed by seeking (a seek lands on a frame keyframe whose alpha may need frames
    before it)."""
    return getattr(ctx, "name", None) in ALPHA_DECODERS.values()


def decodable_alpha(packets: Iterator[Any], decoder: str, name: str, keyframes_only: bool) -> Iterator[Any]:
    """``packets`` for ``decoder``; for libvpx, with the alpha frames before the first alpha
    keyframe (:func:`alpha_keyframe`; a file cut mid-GOP) withheld: their BlockAdditional is
    given another id, which libvpx passes over, so their frames are decoded opaque (libvpx
    refused each such frame whole, colour too). Once libvpx has decoded an alpha, a frame
    sent without one is not shown at all, so later alpha frames are all sent: keyframes
    only, one that is not a keyframe is decoded from the last keyframe's alpha, not its own
    references. The first of each is warned of (``name``: the input's)."""
    if decoder not in ALPHA_DECODERS.values():
        return packets
    return _alpha_from_keyframe(packets, decoder, name, keyframes_only)


def _alpha_from_keyframe(packets: Iterator[Any], decoder: str, name: str, keyframes_only: bool) -> Iterator[Any]:
    """:func:`decodable_alpha`'s packets."""
    references, withheld, stale = False, False, False
    for packet in packets:
        key = alpha_keyframe(packet, decoder) if isinstance(packet, av.Packet) and packet.size else None
        if key:
            references = True
        elif key is False and not references:
            side = packet.get_sidedata("matroska_block_additional")
            side.update(bytes(8) + bytes(side)[8:])  # BlockAddID 0: no alpha
            packet.set_sidedata(side)
            if not withheld:
                withheld = True
                at = _packet_time(packet)
                log.warning("%s: the alpha of the frames from %s up to the alpha's next keyframe cannot be "
                            "decoded (the file starts after the keyframe they refer to), so their transparent "
                            "pixels count as colour", name, at)
        elif key is False and keyframes_only and not stale:
            stale = True
            at = _packet_time(packet)
            log.warning("%s: keyframes only: the keyframe at %s carries an alpha frame that is not one (its "
                        "encoder placed its own keyframes elsewhere); its transparency, and any later such "
                        "keyframe's, is decoded from other frames' references and may be wrong; decode every "
                        "frame for exact transparency", name, at)
        yield packet


def _packet_time(packet: Any) -> str:
    """A packet's time for a message: "1.000 s", from its own timestamp."""
    return f"{float(packet.pts * packet.time_base):.3f} s" if packet.pts is not None and packet.time_base \
        else "its first frame"
