"""Which AV1 temporal units nothing references, read from the bitstream (AV1 specification,
sections 5.3, 5.5 and 5.9: OBU headers, the sequence header, the uncompressed frame header).

A frame whose ``refresh_frame_flags`` is 0 is stored in no reference slot, and every state a
later frame can load (CDFs, segmentation, loop filter deltas, order hints) travels with the
reference slots, so a temporal unit whose frames all refresh nothing can be left out without
changing any other frame. Encoders with hierarchical prediction (SVT-AV1's random-access
mini-GOPs) make about half their frames so. libdav1d ignores ``skip_frame``: such units are
simply not sent to it.

Conservative wherever the answer would need more state: a unit with a key frame, a
``show_existing_frame``, frame ids (``frame_id_numbers_present_flag``) or anything that
does not parse counts as referenced.
"""

from __future__ import annotations

from dataclasses import dataclass

OBU_SEQUENCE_HEADER, OBU_FRAME_HEADER, OBU_FRAME = 1, 3, 6
KEY_FRAME, SWITCH_FRAME = 0, 3
SELECT = 2


class _Bits:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def f(self, n: int) -> int:
        value = 0
        for _ in range(n):
            byte = self.data[self.pos >> 3]  # IndexError past the end: the caller gives up
            value = (value << 1) | ((byte >> (7 - (self.pos & 7))) & 1)
            self.pos += 1
        return value

    def uvlc(self) -> int:
        zeros = 0
        while not self.f(1):
            zeros += 1
            if zeros >= 32:
                raise ValueError("uvlc too long")
        return self.f(zeros) + (1 << zeros) - 1


def _leb128(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for i in range(8):
        byte = data[pos + i]
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            return value, pos + i + 1
    raise ValueError("leb128 too long")


def obus(data: bytes) -> list[tuple[int, int, int, bytes]]:
    """(obu_type, temporal_id, spatial_id, payload) of each OBU in a temporal unit."""
    out, pos = [], 0
    while pos < len(data):
        header = data[pos]
        kind, extension, has_size = (header >> 3) & 15, (header >> 2) & 1, (header >> 1) & 1
        pos += 1
        temporal = spatial = 0
        if extension:
            temporal, spatial = data[pos] >> 5, (data[pos] >> 3) & 3
            pos += 1
        if has_size:
            size, pos = _leb128(data, pos)
        else:
            size = len(data) - pos
        if pos + size > len(data):
            raise ValueError("OBU past the end of the packet")
        out.append((kind, temporal, spatial, data[pos:pos + size]))
        pos += size
    return out


@dataclass(frozen=True)
class SequenceHeader:
    """The fields of a sequence header that the frame header's layout depends on."""

    reduced_still_picture_header: bool
    decoder_model_info_present: bool
    equal_picture_interval: bool
    frame_presentation_time_length: int
    buffer_removal_time_length: int
    operating_points: tuple[tuple[int, bool], ...]  # (operating_point_idc, decoder_model_present)
    frame_id_numbers_present: bool
    force_screen_content_tools: int
    force_integer_mv: int
    order_hint_bits: int


def parse_sequence_header(payload: bytes) -> SequenceHeader:
    b = _Bits(payload)
    b.f(3)  # seq_profile
    b.f(1)  # still_picture
    reduced = bool(b.f(1))
    model = equal = False
    presentation_len = removal_len = delay_len = 0
    points: list[tuple[int, bool]] = []
    if reduced:
        b.f(5)  # seq_level_idx[0]
        points.append((0, False))
    else:
        if b.f(1):  # timing_info_present_flag
            b.f(32), b.f(32)  # num_units_in_display_tick, time_scale
            equal = bool(b.f(1))
            if equal:
                b.uvlc()
            model = bool(b.f(1))
            if model:
                delay_len = b.f(5) + 1
                b.f(32)  # num_units_in_decoding_tick
                removal_len = b.f(5) + 1
                presentation_len = b.f(5) + 1
        display_delay = bool(b.f(1))
        for _ in range(b.f(5) + 1):
            idc = b.f(12)
            if b.f(5) > 7:  # seq_level_idx
                b.f(1)  # seq_tier
            present = False
            if model:
                present = bool(b.f(1))
                if present:
                    b.f(delay_len), b.f(delay_len), b.f(1)
            if display_delay and b.f(1):
                b.f(4)
            points.append((idc, present))
    width_bits, height_bits = b.f(4) + 1, b.f(4) + 1
    b.f(width_bits), b.f(height_bits)
    frame_ids = False if reduced else bool(b.f(1))
    if frame_ids:
        b.f(4), b.f(3)
    b.f(1), b.f(1), b.f(1)  # use_128x128_superblock, enable_filter_intra, enable_intra_edge_filter
    screen, integer_mv, order_bits = SELECT, SELECT, 0
    if not reduced:
        b.f(1), b.f(1), b.f(1), b.f(1)  # interintra, masked compound, warped motion, dual filter
        order_hint = b.f(1)
        if order_hint:
            b.f(1), b.f(1)  # enable_jnt_comp, enable_ref_frame_mvs
        screen = SELECT if b.f(1) else b.f(1)
        if screen > 0:
            integer_mv = SELECT if b.f(1) else b.f(1)
        if order_hint:
            order_bits = b.f(3) + 1
    return SequenceHeader(reduced, model, equal, presentation_len, removal_len, tuple(points), frame_ids,
                          screen, integer_mv, order_bits)


def refreshes(seq: SequenceHeader, payload: bytes, temporal: int, spatial: int) -> bool:
    """Whether the frame whose header starts ``payload`` refreshes any reference slot (True
    also for whatever this module does not prove harmless)."""
    if seq.reduced_still_picture_header or seq.frame_id_numbers_present:
        return True
    b = _Bits(payload)
    if b.f(1):  # show_existing_frame: a shown key frame refreshes every slot
        return True
    frame_type = b.f(2)
    show_frame = b.f(1)
    if frame_type == KEY_FRAME or frame_type == SWITCH_FRAME:
        return True
    if show_frame and seq.decoder_model_info_present and not seq.equal_picture_interval:
        b.f(seq.frame_presentation_time_length)
    if not show_frame:
        b.f(1)  # showable_frame
    error_resilient = b.f(1)
    b.f(1)  # disable_cdf_update
    screen = b.f(1) if seq.force_screen_content_tools == SELECT else seq.force_screen_content_tools
    if screen and seq.force_integer_mv == SELECT:
        b.f(1)  # force_integer_mv
    b.f(1)  # frame_size_override_flag
    b.f(seq.order_hint_bits)  # order_hint
    if not (frame_type == 2 or error_resilient):  # not INTRA_ONLY: primary_ref_frame
        b.f(3)
    if seq.decoder_model_info_present and b.f(1):  # buffer_removal_time_present_flag
        for idc, present in seq.operating_points:
            if present and (idc == 0 or ((idc >> temporal) & 1 and (idc >> (spatial + 8)) & 1)):
                b.f(seq.buffer_removal_time_length)
    return b.f(8) != 0  # refresh_frame_flags


class Av1References:
    """Tells, per packet (one temporal unit), whether any frame in it is a reference. The
    sequence header comes from the codec's extradata (av1C) or from the packets."""

    def __init__(self, extradata: bytes | None = None) -> None:
        self.seq: SequenceHeader | None = None
        if extradata and len(extradata) > 4 and extradata[0] & 0x80:  # av1C: marker, version 1
            self._read_sequence(extradata[4:])

    def _read_sequence(self, data: bytes) -> None:
        try:
            for kind, _, _, payload in obus(data):
                if kind == OBU_SEQUENCE_HEADER:
                    self.seq = parse_sequence_header(payload)
        except (ValueError, IndexError):
            pass

    def is_reference(self, data: bytes) -> bool:
        try:
            units = obus(data)
            for kind, _, _, payload in units:
                if kind == OBU_SEQUENCE_HEADER:
                    self.seq = parse_sequence_header(payload)
            frames = [u for u in units if u[0] in (OBU_FRAME, OBU_FRAME_HEADER)]
            if self.seq is None or not frames:
                return True
            return any(refreshes(self.seq, payload, temporal, spatial) for _, temporal, spatial, payload in frames)
        except (ValueError, IndexError):
            return True
