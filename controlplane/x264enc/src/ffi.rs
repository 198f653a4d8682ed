//! Raw bindings to libx264, build 164 (Debian 12's `libx264-dev`), generated once by
//! bindgen 0.72.1 and committed, so that building needs no libclang. `build.rs` refuses any
//! other x264 build: x264 changes its structures between builds. Regenerate with:
//!
//! ```text
//! printf '#include <stdint.h>\n#include <x264.h>\n' > /tmp/x264wrap.h
//! bindgen /tmp/x264wrap.h --use-core \
//!   --allowlist-function 'x264_(param_default_preset|param_parse|param_apply_profile|encoder_open_164|encoder_encode|encoder_close|encoder_headers|encoder_delayed_frames|encoder_maximum_delayed_frames|picture_init)' \
//!   --allowlist-var 'X264_(BUILD|CSP_I420|TYPE_AUTO|TYPE_IDR|RC_ABR|LOG_.*|PARAM_BAD_.*)' \
//!   --allowlist-type 'x264_(param_t|picture_t|nal_t|t)'
//! ```
//!
//! The generated layout checks (the `const _` blocks) hold the Rust structures to the
//! sizes and offsets clang computed from the header.
#![allow(
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    dead_code,
    missing_docs,
    unsafe_code,
    clippy::all
)]

pub const X264_BUILD: u32 = 164;
pub const X264_RC_ABR: u32 = 2;
pub const X264_CSP_I420: u32 = 2;
pub const X264_TYPE_AUTO: u32 = 0;
pub const X264_TYPE_IDR: u32 = 1;
pub const X264_LOG_NONE: i32 = -1;
pub const X264_LOG_ERROR: u32 = 0;
pub const X264_LOG_WARNING: u32 = 1;
pub const X264_LOG_INFO: u32 = 2;
pub const X264_LOG_DEBUG: u32 = 3;
pub const X264_PARAM_BAD_NAME: i32 = -1;
pub const X264_PARAM_BAD_VALUE: i32 = -2;
pub type va_list = __builtin_va_list;
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_t {
    _unused: [u8; 0],
}
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_nal_t {
    pub i_ref_idc: ::core::ffi::c_int,
    pub i_type: ::core::ffi::c_int,
    pub b_long_startcode: ::core::ffi::c_int,
    pub i_first_mb: ::core::ffi::c_int,
    pub i_last_mb: ::core::ffi::c_int,
    pub i_payload: ::core::ffi::c_int,
    pub p_payload: *mut u8,
    pub i_padding: ::core::ffi::c_int,
}
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of x264_nal_t"][::core::mem::size_of::<x264_nal_t>() - 40usize];
    ["Alignment of x264_nal_t"][::core::mem::align_of::<x264_nal_t>() - 8usize];
    ["Offset of field: x264_nal_t::i_ref_idc"]
        [::core::mem::offset_of!(x264_nal_t, i_ref_idc) - 0usize];
    ["Offset of field: x264_nal_t::i_type"][::core::mem::offset_of!(x264_nal_t, i_type) - 4usize];
    ["Offset of field: x264_nal_t::b_long_startcode"]
        [::core::mem::offset_of!(x264_nal_t, b_long_startcode) - 8usize];
    ["Offset of field: x264_nal_t::i_first_mb"]
        [::core::mem::offset_of!(x264_nal_t, i_first_mb) - 12usize];
    ["Offset of field: x264_nal_t::i_last_mb"]
        [::core::mem::offset_of!(x264_nal_t, i_last_mb) - 16usize];
    ["Offset of field: x264_nal_t::i_payload"]
        [::core::mem::offset_of!(x264_nal_t, i_payload) - 20usize];
    ["Offset of field: x264_nal_t::p_payload"]
        [::core::mem::offset_of!(x264_nal_t, p_payload) - 24usize];
    ["Offset of field: x264_nal_t::i_padding"]
        [::core::mem::offset_of!(x264_nal_t, i_padding) - 32usize];
};
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_zone_t {
    pub i_start: ::core::ffi::c_int,
    pub i_end: ::core::ffi::c_int,
    pub b_force_qp: ::core::ffi::c_int,
    pub i_qp: ::core::ffi::c_int,
    pub f_bitrate_factor: f32,
    pub param: *mut x264_param_t,
}
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of x264_zone_t"][::core::mem::size_of::<x264_zone_t>() - 32usize];
    ["Alignment of x264_zone_t"][::core::mem::align_of::<x264_zone_t>() - 8usize];
    ["Offset of field: x264_zone_t::i_start"]
        [::core::mem::offset_of!(x264_zone_t, i_start) - 0usize];
    ["Offset of field: x264_zone_t::i_end"][::core::mem::offset_of!(x264_zone_t, i_end) - 4usize];
    ["Offset of field: x264_zone_t::b_force_qp"]
        [::core::mem::offset_of!(x264_zone_t, b_force_qp) - 8usize];
    ["Offset of field: x264_zone_t::i_qp"][::core::mem::offset_of!(x264_zone_t, i_qp) - 12usize];
    ["Offset of field: x264_zone_t::f_bitrate_factor"]
        [::core::mem::offset_of!(x264_zone_t, f_bitrate_factor) - 16usize];
    ["Offset of field: x264_zone_t::param"][::core::mem::offset_of!(x264_zone_t, param) - 24usize];
};
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_param_t {
    pub cpu: u32,
    pub i_threads: ::core::ffi::c_int,
    pub i_lookahead_threads: ::core::ffi::c_int,
    pub b_sliced_threads: ::core::ffi::c_int,
    pub b_deterministic: ::core::ffi::c_int,
    pub b_cpu_independent: ::core::ffi::c_int,
    pub i_sync_lookahead: ::core::ffi::c_int,
    pub i_width: ::core::ffi::c_int,
    pub i_height: ::core::ffi::c_int,
    pub i_csp: ::core::ffi::c_int,
    pub i_bitdepth: ::core::ffi::c_int,
    pub i_level_idc: ::core::ffi::c_int,
    pub i_frame_total: ::core::ffi::c_int,
    pub i_nal_hrd: ::core::ffi::c_int,
    pub vui: x264_param_t__bindgen_ty_1,
    pub i_frame_reference: ::core::ffi::c_int,
    pub i_dpb_size: ::core::ffi::c_int,
    pub i_keyint_max: ::core::ffi::c_int,
    pub i_keyint_min: ::core::ffi::c_int,
    pub i_scenecut_threshold: ::core::ffi::c_int,
    pub b_intra_refresh: ::core::ffi::c_int,
    pub i_bframe: ::core::ffi::c_int,
    pub i_bframe_adaptive: ::core::ffi::c_int,
    pub i_bframe_bias: ::core::ffi::c_int,
    pub i_bframe_pyramid: ::core::ffi::c_int,
    pub b_open_gop: ::core::ffi::c_int,
    pub b_bluray_compat: ::core::ffi::c_int,
    pub i_avcintra_class: ::core::ffi::c_int,
    pub i_avcintra_flavor: ::core::ffi::c_int,
    pub b_deblocking_filter: ::core::ffi::c_int,
    pub i_deblocking_filter_alphac0: ::core::ffi::c_int,
    pub i_deblocking_filter_beta: ::core::ffi::c_int,
    pub b_cabac: ::core::ffi::c_int,
    pub i_cabac_init_idc: ::core::ffi::c_int,
    pub b_interlaced: ::core::ffi::c_int,
    pub b_constrained_intra: ::core::ffi::c_int,
    pub i_cqm_preset: ::core::ffi::c_int,
    pub psz_cqm_file: *mut ::core::ffi::c_char,
    pub cqm_4iy: [u8; 16usize],
    pub cqm_4py: [u8; 16usize],
    pub cqm_4ic: [u8; 16usize],
    pub cqm_4pc: [u8; 16usize],
    pub cqm_8iy: [u8; 64usize],
    pub cqm_8py: [u8; 64usize],
    pub cqm_8ic: [u8; 64usize],
    pub cqm_8pc: [u8; 64usize],
    pub pf_log: ::core::option::Option<
        unsafe extern "C" fn(
            arg1: *mut ::core::ffi::c_void,
            i_level: ::core::ffi::c_int,
            psz: *const ::core::ffi::c_char,
            arg2: *mut __va_list_tag,
        ),
    >,
    pub p_log_private: *mut ::core::ffi::c_void,
    pub i_log_level: ::core::ffi::c_int,
    pub b_full_recon: ::core::ffi::c_int,
    pub psz_dump_yuv: *mut ::core::ffi::c_char,
    pub analyse: x264_param_t__bindgen_ty_2,
    pub rc: x264_param_t__bindgen_ty_3,
    pub crop_rect: x264_param_t__bindgen_ty_4,
    pub i_frame_packing: ::core::ffi::c_int,
    pub mastering_display: x264_param_t__bindgen_ty_5,
    pub content_light_level: x264_param_t__bindgen_ty_6,
    pub i_alternative_transfer: ::core::ffi::c_int,
    pub b_aud: ::core::ffi::c_int,
    pub b_repeat_headers: ::core::ffi::c_int,
    pub b_annexb: ::core::ffi::c_int,
    pub i_sps_id: ::core::ffi::c_int,
    pub b_vfr_input: ::core::ffi::c_int,
    pub b_pulldown: ::core::ffi::c_int,
    pub i_fps_num: u32,
    pub i_fps_den: u32,
    pub i_timebase_num: u32,
    pub i_timebase_den: u32,
    pub b_tff: ::core::ffi::c_int,
    pub b_pic_struct: ::core::ffi::c_int,
    pub b_fake_interlaced: ::core::ffi::c_int,
    pub b_stitchable: ::core::ffi::c_int,
    pub b_opencl: ::core::ffi::c_int,
    pub i_opencl_device: ::core::ffi::c_int,
    pub opencl_device_id: *mut ::core::ffi::c_void,
    pub psz_clbin_file: *mut ::core::ffi::c_char,
    pub i_slice_max_size: ::core::ffi::c_int,
    pub i_slice_max_mbs: ::core::ffi::c_int,
    pub i_slice_min_mbs: ::core::ffi::c_int,
    pub i_slice_count: ::core::ffi::c_int,
    pub i_slice_count_max: ::core::ffi::c_int,
    pub param_free: ::core::option::Option<unsafe extern "C" fn(arg1: *mut ::core::ffi::c_void)>,
    pub nalu_process: ::core::option::Option<
        unsafe extern "C" fn(
            h: *mut x264_t,
            nal: *mut x264_nal_t,
            opaque: *mut ::core::ffi::c_void,
        ),
    >,
    pub opaque: *mut ::core::ffi::c_void,
}
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_param_t__bindgen_ty_1 {
    pub i_sar_height: ::core::ffi::c_int,
    pub i_sar_width: ::core::ffi::c_int,
    pub i_overscan: ::core::ffi::c_int,
    pub i_vidformat: ::core::ffi::c_int,
    pub b_fullrange: ::core::ffi::c_int,
    pub i_colorprim: ::core::ffi::c_int,
    pub i_transfer: ::core::ffi::c_int,
    pub i_colmatrix: ::core::ffi::c_int,
    pub i_chroma_loc: ::core::ffi::c_int,
}
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of x264_param_t__bindgen_ty_1"]
        [::core::mem::size_of::<x264_param_t__bindgen_ty_1>() - 36usize];
    ["Alignment of x264_param_t__bindgen_ty_1"]
        [::core::mem::align_of::<x264_param_t__bindgen_ty_1>() - 4usize];
    ["Offset of field: x264_param_t__bindgen_ty_1::i_sar_height"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_1, i_sar_height) - 0usize];
    ["Offset of field: x264_param_t__bindgen_ty_1::i_sar_width"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_1, i_sar_width) - 4usize];
    ["Offset of field: x264_param_t__bindgen_ty_1::i_overscan"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_1, i_overscan) - 8usize];
    ["Offset of field: x264_param_t__bindgen_ty_1::i_vidformat"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_1, i_vidformat) - 12usize];
    ["Offset of field: x264_param_t__bindgen_ty_1::b_fullrange"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_1, b_fullrange) - 16usize];
    ["Offset of field: x264_param_t__bindgen_ty_1::i_colorprim"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_1, i_colorprim) - 20usize];
    ["Offset of field: x264_param_t__bindgen_ty_1::i_transfer"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_1, i_transfer) - 24usize];
    ["Offset of field: x264_param_t__bindgen_ty_1::i_colmatrix"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_1, i_colmatrix) - 28usize];
    ["Offset of field: x264_param_t__bindgen_ty_1::i_chroma_loc"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_1, i_chroma_loc) - 32usize];
};
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_param_t__bindgen_ty_2 {
    pub intra: ::core::ffi::c_uint,
    pub inter: ::core::ffi::c_uint,
    pub b_transform_8x8: ::core::ffi::c_int,
    pub i_weighted_pred: ::core::ffi::c_int,
    pub b_weighted_bipred: ::core::ffi::c_int,
    pub i_direct_mv_pred: ::core::ffi::c_int,
    pub i_chroma_qp_offset: ::core::ffi::c_int,
    pub i_me_method: ::core::ffi::c_int,
    pub i_me_range: ::core::ffi::c_int,
    pub i_mv_range: ::core::ffi::c_int,
    pub i_mv_range_thread: ::core::ffi::c_int,
    pub i_subpel_refine: ::core::ffi::c_int,
    pub b_chroma_me: ::core::ffi::c_int,
    pub b_mixed_references: ::core::ffi::c_int,
    pub i_trellis: ::core::ffi::c_int,
    pub b_fast_pskip: ::core::ffi::c_int,
    pub b_dct_decimate: ::core::ffi::c_int,
    pub i_noise_reduction: ::core::ffi::c_int,
    pub f_psy_rd: f32,
    pub f_psy_trellis: f32,
    pub b_psy: ::core::ffi::c_int,
    pub b_mb_info: ::core::ffi::c_int,
    pub b_mb_info_update: ::core::ffi::c_int,
    pub i_luma_deadzone: [::core::ffi::c_int; 2usize],
    pub b_psnr: ::core::ffi::c_int,
    pub b_ssim: ::core::ffi::c_int,
}
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of x264_param_t__bindgen_ty_2"]
        [::core::mem::size_of::<x264_param_t__bindgen_ty_2>() - 108usize];
    ["Alignment of x264_param_t__bindgen_ty_2"]
        [::core::mem::align_of::<x264_param_t__bindgen_ty_2>() - 4usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::intra"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, intra) - 0usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::inter"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, inter) - 4usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::b_transform_8x8"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, b_transform_8x8) - 8usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::i_weighted_pred"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, i_weighted_pred) - 12usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::b_weighted_bipred"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, b_weighted_bipred) - 16usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::i_direct_mv_pred"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, i_direct_mv_pred) - 20usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::i_chroma_qp_offset"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, i_chroma_qp_offset) - 24usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::i_me_method"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, i_me_method) - 28usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::i_me_range"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, i_me_range) - 32usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::i_mv_range"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, i_mv_range) - 36usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::i_mv_range_thread"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, i_mv_range_thread) - 40usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::i_subpel_refine"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, i_subpel_refine) - 44usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::b_chroma_me"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, b_chroma_me) - 48usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::b_mixed_references"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, b_mixed_references) - 52usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::i_trellis"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, i_trellis) - 56usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::b_fast_pskip"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, b_fast_pskip) - 60usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::b_dct_decimate"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, b_dct_decimate) - 64usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::i_noise_reduction"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, i_noise_reduction) - 68usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::f_psy_rd"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, f_psy_rd) - 72usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::f_psy_trellis"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, f_psy_trellis) - 76usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::b_psy"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, b_psy) - 80usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::b_mb_info"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, b_mb_info) - 84usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::b_mb_info_update"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, b_mb_info_update) - 88usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::i_luma_deadzone"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, i_luma_deadzone) - 92usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::b_psnr"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, b_psnr) - 100usize];
    ["Offset of field: x264_param_t__bindgen_ty_2::b_ssim"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_2, b_ssim) - 104usize];
};
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_param_t__bindgen_ty_3 {
    pub i_rc_method: ::core::ffi::c_int,
    pub i_qp_constant: ::core::ffi::c_int,
    pub i_qp_min: ::core::ffi::c_int,
    pub i_qp_max: ::core::ffi::c_int,
    pub i_qp_step: ::core::ffi::c_int,
    pub i_bitrate: ::core::ffi::c_int,
    pub f_rf_constant: f32,
    pub f_rf_constant_max: f32,
    pub f_rate_tolerance: f32,
    pub i_vbv_max_bitrate: ::core::ffi::c_int,
    pub i_vbv_buffer_size: ::core::ffi::c_int,
    pub f_vbv_buffer_init: f32,
    pub f_ip_factor: f32,
    pub f_pb_factor: f32,
    pub b_filler: ::core::ffi::c_int,
    pub i_aq_mode: ::core::ffi::c_int,
    pub f_aq_strength: f32,
    pub b_mb_tree: ::core::ffi::c_int,
    pub i_lookahead: ::core::ffi::c_int,
    pub b_stat_write: ::core::ffi::c_int,
    pub psz_stat_out: *mut ::core::ffi::c_char,
    pub b_stat_read: ::core::ffi::c_int,
    pub psz_stat_in: *mut ::core::ffi::c_char,
    pub f_qcompress: f32,
    pub f_qblur: f32,
    pub f_complexity_blur: f32,
    pub zones: *mut x264_zone_t,
    pub i_zones: ::core::ffi::c_int,
    pub psz_zones: *mut ::core::ffi::c_char,
}
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of x264_param_t__bindgen_ty_3"]
        [::core::mem::size_of::<x264_param_t__bindgen_ty_3>() - 144usize];
    ["Alignment of x264_param_t__bindgen_ty_3"]
        [::core::mem::align_of::<x264_param_t__bindgen_ty_3>() - 8usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::i_rc_method"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, i_rc_method) - 0usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::i_qp_constant"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, i_qp_constant) - 4usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::i_qp_min"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, i_qp_min) - 8usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::i_qp_max"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, i_qp_max) - 12usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::i_qp_step"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, i_qp_step) - 16usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::i_bitrate"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, i_bitrate) - 20usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::f_rf_constant"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, f_rf_constant) - 24usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::f_rf_constant_max"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, f_rf_constant_max) - 28usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::f_rate_tolerance"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, f_rate_tolerance) - 32usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::i_vbv_max_bitrate"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, i_vbv_max_bitrate) - 36usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::i_vbv_buffer_size"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, i_vbv_buffer_size) - 40usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::f_vbv_buffer_init"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, f_vbv_buffer_init) - 44usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::f_ip_factor"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, f_ip_factor) - 48usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::f_pb_factor"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, f_pb_factor) - 52usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::b_filler"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, b_filler) - 56usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::i_aq_mode"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, i_aq_mode) - 60usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::f_aq_strength"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, f_aq_strength) - 64usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::b_mb_tree"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, b_mb_tree) - 68usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::i_lookahead"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, i_lookahead) - 72usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::b_stat_write"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, b_stat_write) - 76usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::psz_stat_out"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, psz_stat_out) - 80usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::b_stat_read"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, b_stat_read) - 88usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::psz_stat_in"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, psz_stat_in) - 96usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::f_qcompress"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, f_qcompress) - 104usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::f_qblur"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, f_qblur) - 108usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::f_complexity_blur"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, f_complexity_blur) - 112usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::zones"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, zones) - 120usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::i_zones"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, i_zones) - 128usize];
    ["Offset of field: x264_param_t__bindgen_ty_3::psz_zones"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_3, psz_zones) - 136usize];
};
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_param_t__bindgen_ty_4 {
    pub i_left: ::core::ffi::c_int,
    pub i_top: ::core::ffi::c_int,
    pub i_right: ::core::ffi::c_int,
    pub i_bottom: ::core::ffi::c_int,
}
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of x264_param_t__bindgen_ty_4"]
        [::core::mem::size_of::<x264_param_t__bindgen_ty_4>() - 16usize];
    ["Alignment of x264_param_t__bindgen_ty_4"]
        [::core::mem::align_of::<x264_param_t__bindgen_ty_4>() - 4usize];
    ["Offset of field: x264_param_t__bindgen_ty_4::i_left"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_4, i_left) - 0usize];
    ["Offset of field: x264_param_t__bindgen_ty_4::i_top"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_4, i_top) - 4usize];
    ["Offset of field: x264_param_t__bindgen_ty_4::i_right"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_4, i_right) - 8usize];
    ["Offset of field: x264_param_t__bindgen_ty_4::i_bottom"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_4, i_bottom) - 12usize];
};
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_param_t__bindgen_ty_5 {
    pub b_mastering_display: ::core::ffi::c_int,
    pub i_green_x: ::core::ffi::c_int,
    pub i_green_y: ::core::ffi::c_int,
    pub i_blue_x: ::core::ffi::c_int,
    pub i_blue_y: ::core::ffi::c_int,
    pub i_red_x: ::core::ffi::c_int,
    pub i_red_y: ::core::ffi::c_int,
    pub i_white_x: ::core::ffi::c_int,
    pub i_white_y: ::core::ffi::c_int,
    pub i_display_max: i64,
    pub i_display_min: i64,
}
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of x264_param_t__bindgen_ty_5"]
        [::core::mem::size_of::<x264_param_t__bindgen_ty_5>() - 56usize];
    ["Alignment of x264_param_t__bindgen_ty_5"]
        [::core::mem::align_of::<x264_param_t__bindgen_ty_5>() - 8usize];
    ["Offset of field: x264_param_t__bindgen_ty_5::b_mastering_display"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_5, b_mastering_display) - 0usize];
    ["Offset of field: x264_param_t__bindgen_ty_5::i_green_x"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_5, i_green_x) - 4usize];
    ["Offset of field: x264_param_t__bindgen_ty_5::i_green_y"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_5, i_green_y) - 8usize];
    ["Offset of field: x264_param_t__bindgen_ty_5::i_blue_x"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_5, i_blue_x) - 12usize];
    ["Offset of field: x264_param_t__bindgen_ty_5::i_blue_y"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_5, i_blue_y) - 16usize];
    ["Offset of field: x264_param_t__bindgen_ty_5::i_red_x"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_5, i_red_x) - 20usize];
    ["Offset of field: x264_param_t__bindgen_ty_5::i_red_y"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_5, i_red_y) - 24usize];
    ["Offset of field: x264_param_t__bindgen_ty_5::i_white_x"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_5, i_white_x) - 28usize];
    ["Offset of field: x264_param_t__bindgen_ty_5::i_white_y"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_5, i_white_y) - 32usize];
    ["Offset of field: x264_param_t__bindgen_ty_5::i_display_max"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_5, i_display_max) - 40usize];
    ["Offset of field: x264_param_t__bindgen_ty_5::i_display_min"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_5, i_display_min) - 48usize];
};
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_param_t__bindgen_ty_6 {
    pub b_cll: ::core::ffi::c_int,
    pub i_max_cll: ::core::ffi::c_int,
    pub i_max_fall: ::core::ffi::c_int,
}
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of x264_param_t__bindgen_ty_6"]
        [::core::mem::size_of::<x264_param_t__bindgen_ty_6>() - 12usize];
    ["Alignment of x264_param_t__bindgen_ty_6"]
        [::core::mem::align_of::<x264_param_t__bindgen_ty_6>() - 4usize];
    ["Offset of field: x264_param_t__bindgen_ty_6::b_cll"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_6, b_cll) - 0usize];
    ["Offset of field: x264_param_t__bindgen_ty_6::i_max_cll"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_6, i_max_cll) - 4usize];
    ["Offset of field: x264_param_t__bindgen_ty_6::i_max_fall"]
        [::core::mem::offset_of!(x264_param_t__bindgen_ty_6, i_max_fall) - 8usize];
};
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of x264_param_t"][::core::mem::size_of::<x264_param_t>() - 1024usize];
    ["Alignment of x264_param_t"][::core::mem::align_of::<x264_param_t>() - 8usize];
    ["Offset of field: x264_param_t::cpu"][::core::mem::offset_of!(x264_param_t, cpu) - 0usize];
    ["Offset of field: x264_param_t::i_threads"]
        [::core::mem::offset_of!(x264_param_t, i_threads) - 4usize];
    ["Offset of field: x264_param_t::i_lookahead_threads"]
        [::core::mem::offset_of!(x264_param_t, i_lookahead_threads) - 8usize];
    ["Offset of field: x264_param_t::b_sliced_threads"]
        [::core::mem::offset_of!(x264_param_t, b_sliced_threads) - 12usize];
    ["Offset of field: x264_param_t::b_deterministic"]
        [::core::mem::offset_of!(x264_param_t, b_deterministic) - 16usize];
    ["Offset of field: x264_param_t::b_cpu_independent"]
        [::core::mem::offset_of!(x264_param_t, b_cpu_independent) - 20usize];
    ["Offset of field: x264_param_t::i_sync_lookahead"]
        [::core::mem::offset_of!(x264_param_t, i_sync_lookahead) - 24usize];
    ["Offset of field: x264_param_t::i_width"]
        [::core::mem::offset_of!(x264_param_t, i_width) - 28usize];
    ["Offset of field: x264_param_t::i_height"]
        [::core::mem::offset_of!(x264_param_t, i_height) - 32usize];
    ["Offset of field: x264_param_t::i_csp"]
        [::core::mem::offset_of!(x264_param_t, i_csp) - 36usize];
    ["Offset of field: x264_param_t::i_bitdepth"]
        [::core::mem::offset_of!(x264_param_t, i_bitdepth) - 40usize];
    ["Offset of field: x264_param_t::i_level_idc"]
        [::core::mem::offset_of!(x264_param_t, i_level_idc) - 44usize];
    ["Offset of field: x264_param_t::i_frame_total"]
        [::core::mem::offset_of!(x264_param_t, i_frame_total) - 48usize];
    ["Offset of field: x264_param_t::i_nal_hrd"]
        [::core::mem::offset_of!(x264_param_t, i_nal_hrd) - 52usize];
    ["Offset of field: x264_param_t::vui"][::core::mem::offset_of!(x264_param_t, vui) - 56usize];
    ["Offset of field: x264_param_t::i_frame_reference"]
        [::core::mem::offset_of!(x264_param_t, i_frame_reference) - 92usize];
    ["Offset of field: x264_param_t::i_dpb_size"]
        [::core::mem::offset_of!(x264_param_t, i_dpb_size) - 96usize];
    ["Offset of field: x264_param_t::i_keyint_max"]
        [::core::mem::offset_of!(x264_param_t, i_keyint_max) - 100usize];
    ["Offset of field: x264_param_t::i_keyint_min"]
        [::core::mem::offset_of!(x264_param_t, i_keyint_min) - 104usize];
    ["Offset of field: x264_param_t::i_scenecut_threshold"]
        [::core::mem::offset_of!(x264_param_t, i_scenecut_threshold) - 108usize];
    ["Offset of field: x264_param_t::b_intra_refresh"]
        [::core::mem::offset_of!(x264_param_t, b_intra_refresh) - 112usize];
    ["Offset of field: x264_param_t::i_bframe"]
        [::core::mem::offset_of!(x264_param_t, i_bframe) - 116usize];
    ["Offset of field: x264_param_t::i_bframe_adaptive"]
        [::core::mem::offset_of!(x264_param_t, i_bframe_adaptive) - 120usize];
    ["Offset of field: x264_param_t::i_bframe_bias"]
        [::core::mem::offset_of!(x264_param_t, i_bframe_bias) - 124usize];
    ["Offset of field: x264_param_t::i_bframe_pyramid"]
        [::core::mem::offset_of!(x264_param_t, i_bframe_pyramid) - 128usize];
    ["Offset of field: x264_param_t::b_open_gop"]
        [::core::mem::offset_of!(x264_param_t, b_open_gop) - 132usize];
    ["Offset of field: x264_param_t::b_bluray_compat"]
        [::core::mem::offset_of!(x264_param_t, b_bluray_compat) - 136usize];
    ["Offset of field: x264_param_t::i_avcintra_class"]
        [::core::mem::offset_of!(x264_param_t, i_avcintra_class) - 140usize];
    ["Offset of field: x264_param_t::i_avcintra_flavor"]
        [::core::mem::offset_of!(x264_param_t, i_avcintra_flavor) - 144usize];
    ["Offset of field: x264_param_t::b_deblocking_filter"]
        [::core::mem::offset_of!(x264_param_t, b_deblocking_filter) - 148usize];
    ["Offset of field: x264_param_t::i_deblocking_filter_alphac0"]
        [::core::mem::offset_of!(x264_param_t, i_deblocking_filter_alphac0) - 152usize];
    ["Offset of field: x264_param_t::i_deblocking_filter_beta"]
        [::core::mem::offset_of!(x264_param_t, i_deblocking_filter_beta) - 156usize];
    ["Offset of field: x264_param_t::b_cabac"]
        [::core::mem::offset_of!(x264_param_t, b_cabac) - 160usize];
    ["Offset of field: x264_param_t::i_cabac_init_idc"]
        [::core::mem::offset_of!(x264_param_t, i_cabac_init_idc) - 164usize];
    ["Offset of field: x264_param_t::b_interlaced"]
        [::core::mem::offset_of!(x264_param_t, b_interlaced) - 168usize];
    ["Offset of field: x264_param_t::b_constrained_intra"]
        [::core::mem::offset_of!(x264_param_t, b_constrained_intra) - 172usize];
    ["Offset of field: x264_param_t::i_cqm_preset"]
        [::core::mem::offset_of!(x264_param_t, i_cqm_preset) - 176usize];
    ["Offset of field: x264_param_t::psz_cqm_file"]
        [::core::mem::offset_of!(x264_param_t, psz_cqm_file) - 184usize];
    ["Offset of field: x264_param_t::cqm_4iy"]
        [::core::mem::offset_of!(x264_param_t, cqm_4iy) - 192usize];
    ["Offset of field: x264_param_t::cqm_4py"]
        [::core::mem::offset_of!(x264_param_t, cqm_4py) - 208usize];
    ["Offset of field: x264_param_t::cqm_4ic"]
        [::core::mem::offset_of!(x264_param_t, cqm_4ic) - 224usize];
    ["Offset of field: x264_param_t::cqm_4pc"]
        [::core::mem::offset_of!(x264_param_t, cqm_4pc) - 240usize];
    ["Offset of field: x264_param_t::cqm_8iy"]
        [::core::mem::offset_of!(x264_param_t, cqm_8iy) - 256usize];
    ["Offset of field: x264_param_t::cqm_8py"]
        [::core::mem::offset_of!(x264_param_t, cqm_8py) - 320usize];
    ["Offset of field: x264_param_t::cqm_8ic"]
        [::core::mem::offset_of!(x264_param_t, cqm_8ic) - 384usize];
    ["Offset of field: x264_param_t::cqm_8pc"]
        [::core::mem::offset_of!(x264_param_t, cqm_8pc) - 448usize];
    ["Offset of field: x264_param_t::pf_log"]
        [::core::mem::offset_of!(x264_param_t, pf_log) - 512usize];
    ["Offset of field: x264_param_t::p_log_private"]
        [::core::mem::offset_of!(x264_param_t, p_log_private) - 520usize];
    ["Offset of field: x264_param_t::i_log_level"]
        [::core::mem::offset_of!(x264_param_t, i_log_level) - 528usize];
    ["Offset of field: x264_param_t::b_full_recon"]
        [::core::mem::offset_of!(x264_param_t, b_full_recon) - 532usize];
    ["Offset of field: x264_param_t::psz_dump_yuv"]
        [::core::mem::offset_of!(x264_param_t, psz_dump_yuv) - 536usize];
    ["Offset of field: x264_param_t::analyse"]
        [::core::mem::offset_of!(x264_param_t, analyse) - 544usize];
    ["Offset of field: x264_param_t::rc"][::core::mem::offset_of!(x264_param_t, rc) - 656usize];
    ["Offset of field: x264_param_t::crop_rect"]
        [::core::mem::offset_of!(x264_param_t, crop_rect) - 800usize];
    ["Offset of field: x264_param_t::i_frame_packing"]
        [::core::mem::offset_of!(x264_param_t, i_frame_packing) - 816usize];
    ["Offset of field: x264_param_t::mastering_display"]
        [::core::mem::offset_of!(x264_param_t, mastering_display) - 824usize];
    ["Offset of field: x264_param_t::content_light_level"]
        [::core::mem::offset_of!(x264_param_t, content_light_level) - 880usize];
    ["Offset of field: x264_param_t::i_alternative_transfer"]
        [::core::mem::offset_of!(x264_param_t, i_alternative_transfer) - 892usize];
    ["Offset of field: x264_param_t::b_aud"]
        [::core::mem::offset_of!(x264_param_t, b_aud) - 896usize];
    ["Offset of field: x264_param_t::b_repeat_headers"]
        [::core::mem::offset_of!(x264_param_t, b_repeat_headers) - 900usize];
    ["Offset of field: x264_param_t::b_annexb"]
        [::core::mem::offset_of!(x264_param_t, b_annexb) - 904usize];
    ["Offset of field: x264_param_t::i_sps_id"]
        [::core::mem::offset_of!(x264_param_t, i_sps_id) - 908usize];
    ["Offset of field: x264_param_t::b_vfr_input"]
        [::core::mem::offset_of!(x264_param_t, b_vfr_input) - 912usize];
    ["Offset of field: x264_param_t::b_pulldown"]
        [::core::mem::offset_of!(x264_param_t, b_pulldown) - 916usize];
    ["Offset of field: x264_param_t::i_fps_num"]
        [::core::mem::offset_of!(x264_param_t, i_fps_num) - 920usize];
    ["Offset of field: x264_param_t::i_fps_den"]
        [::core::mem::offset_of!(x264_param_t, i_fps_den) - 924usize];
    ["Offset of field: x264_param_t::i_timebase_num"]
        [::core::mem::offset_of!(x264_param_t, i_timebase_num) - 928usize];
    ["Offset of field: x264_param_t::i_timebase_den"]
        [::core::mem::offset_of!(x264_param_t, i_timebase_den) - 932usize];
    ["Offset of field: x264_param_t::b_tff"]
        [::core::mem::offset_of!(x264_param_t, b_tff) - 936usize];
    ["Offset of field: x264_param_t::b_pic_struct"]
        [::core::mem::offset_of!(x264_param_t, b_pic_struct) - 940usize];
    ["Offset of field: x264_param_t::b_fake_interlaced"]
        [::core::mem::offset_of!(x264_param_t, b_fake_interlaced) - 944usize];
    ["Offset of field: x264_param_t::b_stitchable"]
        [::core::mem::offset_of!(x264_param_t, b_stitchable) - 948usize];
    ["Offset of field: x264_param_t::b_opencl"]
        [::core::mem::offset_of!(x264_param_t, b_opencl) - 952usize];
    ["Offset of field: x264_param_t::i_opencl_device"]
        [::core::mem::offset_of!(x264_param_t, i_opencl_device) - 956usize];
    ["Offset of field: x264_param_t::opencl_device_id"]
        [::core::mem::offset_of!(x264_param_t, opencl_device_id) - 960usize];
    ["Offset of field: x264_param_t::psz_clbin_file"]
        [::core::mem::offset_of!(x264_param_t, psz_clbin_file) - 968usize];
    ["Offset of field: x264_param_t::i_slice_max_size"]
        [::core::mem::offset_of!(x264_param_t, i_slice_max_size) - 976usize];
    ["Offset of field: x264_param_t::i_slice_max_mbs"]
        [::core::mem::offset_of!(x264_param_t, i_slice_max_mbs) - 980usize];
    ["Offset of field: x264_param_t::i_slice_min_mbs"]
        [::core::mem::offset_of!(x264_param_t, i_slice_min_mbs) - 984usize];
    ["Offset of field: x264_param_t::i_slice_count"]
        [::core::mem::offset_of!(x264_param_t, i_slice_count) - 988usize];
    ["Offset of field: x264_param_t::i_slice_count_max"]
        [::core::mem::offset_of!(x264_param_t, i_slice_count_max) - 992usize];
    ["Offset of field: x264_param_t::param_free"]
        [::core::mem::offset_of!(x264_param_t, param_free) - 1000usize];
    ["Offset of field: x264_param_t::nalu_process"]
        [::core::mem::offset_of!(x264_param_t, nalu_process) - 1008usize];
    ["Offset of field: x264_param_t::opaque"]
        [::core::mem::offset_of!(x264_param_t, opaque) - 1016usize];
};
unsafe extern "C" {
    pub fn x264_param_parse(
        arg1: *mut x264_param_t,
        name: *const ::core::ffi::c_char,
        value: *const ::core::ffi::c_char,
    ) -> ::core::ffi::c_int;
}
unsafe extern "C" {
    pub fn x264_param_default_preset(
        arg1: *mut x264_param_t,
        preset: *const ::core::ffi::c_char,
        tune: *const ::core::ffi::c_char,
    ) -> ::core::ffi::c_int;
}
unsafe extern "C" {
    pub fn x264_param_apply_profile(
        arg1: *mut x264_param_t,
        profile: *const ::core::ffi::c_char,
    ) -> ::core::ffi::c_int;
}
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_hrd_t {
    pub cpb_initial_arrival_time: f64,
    pub cpb_final_arrival_time: f64,
    pub cpb_removal_time: f64,
    pub dpb_output_time: f64,
}
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of x264_hrd_t"][::core::mem::size_of::<x264_hrd_t>() - 32usize];
    ["Alignment of x264_hrd_t"][::core::mem::align_of::<x264_hrd_t>() - 8usize];
    ["Offset of field: x264_hrd_t::cpb_initial_arrival_time"]
        [::core::mem::offset_of!(x264_hrd_t, cpb_initial_arrival_time) - 0usize];
    ["Offset of field: x264_hrd_t::cpb_final_arrival_time"]
        [::core::mem::offset_of!(x264_hrd_t, cpb_final_arrival_time) - 8usize];
    ["Offset of field: x264_hrd_t::cpb_removal_time"]
        [::core::mem::offset_of!(x264_hrd_t, cpb_removal_time) - 16usize];
    ["Offset of field: x264_hrd_t::dpb_output_time"]
        [::core::mem::offset_of!(x264_hrd_t, dpb_output_time) - 24usize];
};
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_sei_payload_t {
    pub payload_size: ::core::ffi::c_int,
    pub payload_type: ::core::ffi::c_int,
    pub payload: *mut u8,
}
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of x264_sei_payload_t"][::core::mem::size_of::<x264_sei_payload_t>() - 16usize];
    ["Alignment of x264_sei_payload_t"][::core::mem::align_of::<x264_sei_payload_t>() - 8usize];
    ["Offset of field: x264_sei_payload_t::payload_size"]
        [::core::mem::offset_of!(x264_sei_payload_t, payload_size) - 0usize];
    ["Offset of field: x264_sei_payload_t::payload_type"]
        [::core::mem::offset_of!(x264_sei_payload_t, payload_type) - 4usize];
    ["Offset of field: x264_sei_payload_t::payload"]
        [::core::mem::offset_of!(x264_sei_payload_t, payload) - 8usize];
};
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_sei_t {
    pub num_payloads: ::core::ffi::c_int,
    pub payloads: *mut x264_sei_payload_t,
    pub sei_free: ::core::option::Option<unsafe extern "C" fn(arg1: *mut ::core::ffi::c_void)>,
}
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of x264_sei_t"][::core::mem::size_of::<x264_sei_t>() - 24usize];
    ["Alignment of x264_sei_t"][::core::mem::align_of::<x264_sei_t>() - 8usize];
    ["Offset of field: x264_sei_t::num_payloads"]
        [::core::mem::offset_of!(x264_sei_t, num_payloads) - 0usize];
    ["Offset of field: x264_sei_t::payloads"]
        [::core::mem::offset_of!(x264_sei_t, payloads) - 8usize];
    ["Offset of field: x264_sei_t::sei_free"]
        [::core::mem::offset_of!(x264_sei_t, sei_free) - 16usize];
};
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_image_t {
    pub i_csp: ::core::ffi::c_int,
    pub i_plane: ::core::ffi::c_int,
    pub i_stride: [::core::ffi::c_int; 4usize],
    pub plane: [*mut u8; 4usize],
}
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of x264_image_t"][::core::mem::size_of::<x264_image_t>() - 56usize];
    ["Alignment of x264_image_t"][::core::mem::align_of::<x264_image_t>() - 8usize];
    ["Offset of field: x264_image_t::i_csp"][::core::mem::offset_of!(x264_image_t, i_csp) - 0usize];
    ["Offset of field: x264_image_t::i_plane"]
        [::core::mem::offset_of!(x264_image_t, i_plane) - 4usize];
    ["Offset of field: x264_image_t::i_stride"]
        [::core::mem::offset_of!(x264_image_t, i_stride) - 8usize];
    ["Offset of field: x264_image_t::plane"]
        [::core::mem::offset_of!(x264_image_t, plane) - 24usize];
};
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_image_properties_t {
    pub quant_offsets: *mut f32,
    pub quant_offsets_free:
        ::core::option::Option<unsafe extern "C" fn(arg1: *mut ::core::ffi::c_void)>,
    pub mb_info: *mut u8,
    pub mb_info_free: ::core::option::Option<unsafe extern "C" fn(arg1: *mut ::core::ffi::c_void)>,
    pub f_ssim: f64,
    pub f_psnr_avg: f64,
    pub f_psnr: [f64; 3usize],
    pub f_crf_avg: f64,
}
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of x264_image_properties_t"]
        [::core::mem::size_of::<x264_image_properties_t>() - 80usize];
    ["Alignment of x264_image_properties_t"]
        [::core::mem::align_of::<x264_image_properties_t>() - 8usize];
    ["Offset of field: x264_image_properties_t::quant_offsets"]
        [::core::mem::offset_of!(x264_image_properties_t, quant_offsets) - 0usize];
    ["Offset of field: x264_image_properties_t::quant_offsets_free"]
        [::core::mem::offset_of!(x264_image_properties_t, quant_offsets_free) - 8usize];
    ["Offset of field: x264_image_properties_t::mb_info"]
        [::core::mem::offset_of!(x264_image_properties_t, mb_info) - 16usize];
    ["Offset of field: x264_image_properties_t::mb_info_free"]
        [::core::mem::offset_of!(x264_image_properties_t, mb_info_free) - 24usize];
    ["Offset of field: x264_image_properties_t::f_ssim"]
        [::core::mem::offset_of!(x264_image_properties_t, f_ssim) - 32usize];
    ["Offset of field: x264_image_properties_t::f_psnr_avg"]
        [::core::mem::offset_of!(x264_image_properties_t, f_psnr_avg) - 40usize];
    ["Offset of field: x264_image_properties_t::f_psnr"]
        [::core::mem::offset_of!(x264_image_properties_t, f_psnr) - 48usize];
    ["Offset of field: x264_image_properties_t::f_crf_avg"]
        [::core::mem::offset_of!(x264_image_properties_t, f_crf_avg) - 72usize];
};
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct x264_picture_t {
    pub i_type: ::core::ffi::c_int,
    pub i_qpplus1: ::core::ffi::c_int,
    pub i_pic_struct: ::core::ffi::c_int,
    pub b_keyframe: ::core::ffi::c_int,
    pub i_pts: i64,
    pub i_dts: i64,
    pub param: *mut x264_param_t,
    pub img: x264_image_t,
    pub prop: x264_image_properties_t,
    pub hrd_timing: x264_hrd_t,
    pub extra_sei: x264_sei_t,
    pub opaque: *mut ::core::ffi::c_void,
}
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of x264_picture_t"][::core::mem::size_of::<x264_picture_t>() - 240usize];
    ["Alignment of x264_picture_t"][::core::mem::align_of::<x264_picture_t>() - 8usize];
    ["Offset of field: x264_picture_t::i_type"]
        [::core::mem::offset_of!(x264_picture_t, i_type) - 0usize];
    ["Offset of field: x264_picture_t::i_qpplus1"]
        [::core::mem::offset_of!(x264_picture_t, i_qpplus1) - 4usize];
    ["Offset of field: x264_picture_t::i_pic_struct"]
        [::core::mem::offset_of!(x264_picture_t, i_pic_struct) - 8usize];
    ["Offset of field: x264_picture_t::b_keyframe"]
        [::core::mem::offset_of!(x264_picture_t, b_keyframe) - 12usize];
    ["Offset of field: x264_picture_t::i_pts"]
        [::core::mem::offset_of!(x264_picture_t, i_pts) - 16usize];
    ["Offset of field: x264_picture_t::i_dts"]
        [::core::mem::offset_of!(x264_picture_t, i_dts) - 24usize];
    ["Offset of field: x264_picture_t::param"]
        [::core::mem::offset_of!(x264_picture_t, param) - 32usize];
    ["Offset of field: x264_picture_t::img"]
        [::core::mem::offset_of!(x264_picture_t, img) - 40usize];
    ["Offset of field: x264_picture_t::prop"]
        [::core::mem::offset_of!(x264_picture_t, prop) - 96usize];
    ["Offset of field: x264_picture_t::hrd_timing"]
        [::core::mem::offset_of!(x264_picture_t, hrd_timing) - 176usize];
    ["Offset of field: x264_picture_t::extra_sei"]
        [::core::mem::offset_of!(x264_picture_t, extra_sei) - 208usize];
    ["Offset of field: x264_picture_t::opaque"]
        [::core::mem::offset_of!(x264_picture_t, opaque) - 232usize];
};
unsafe extern "C" {
    pub fn x264_picture_init(pic: *mut x264_picture_t);
}
unsafe extern "C" {
    pub fn x264_encoder_open_164(arg1: *mut x264_param_t) -> *mut x264_t;
}
unsafe extern "C" {
    pub fn x264_encoder_headers(
        arg1: *mut x264_t,
        pp_nal: *mut *mut x264_nal_t,
        pi_nal: *mut ::core::ffi::c_int,
    ) -> ::core::ffi::c_int;
}
unsafe extern "C" {
    pub fn x264_encoder_encode(
        arg1: *mut x264_t,
        pp_nal: *mut *mut x264_nal_t,
        pi_nal: *mut ::core::ffi::c_int,
        pic_in: *mut x264_picture_t,
        pic_out: *mut x264_picture_t,
    ) -> ::core::ffi::c_int;
}
unsafe extern "C" {
    pub fn x264_encoder_close(arg1: *mut x264_t);
}
unsafe extern "C" {
    pub fn x264_encoder_delayed_frames(arg1: *mut x264_t) -> ::core::ffi::c_int;
}
unsafe extern "C" {
    pub fn x264_encoder_maximum_delayed_frames(arg1: *mut x264_t) -> ::core::ffi::c_int;
}
pub type __builtin_va_list = [__va_list_tag; 1usize];
#[repr(C)]
#[derive(Debug, Copy, Clone)]
pub struct __va_list_tag {
    pub gp_offset: ::core::ffi::c_uint,
    pub fp_offset: ::core::ffi::c_uint,
    pub overflow_arg_area: *mut ::core::ffi::c_void,
    pub reg_save_area: *mut ::core::ffi::c_void,
}
#[allow(clippy::unnecessary_operation, clippy::identity_op)]
const _: () = {
    ["Size of __va_list_tag"][::core::mem::size_of::<__va_list_tag>() - 24usize];
    ["Alignment of __va_list_tag"][::core::mem::align_of::<__va_list_tag>() - 8usize];
    ["Offset of field: __va_list_tag::gp_offset"]
        [::core::mem::offset_of!(__va_list_tag, gp_offset) - 0usize];
    ["Offset of field: __va_list_tag::fp_offset"]
        [::core::mem::offset_of!(__va_list_tag, fp_offset) - 4usize];
    ["Offset of field: __va_list_tag::overflow_arg_area"]
        [::core::mem::offset_of!(__va_list_tag, overflow_arg_area) - 8usize];
    ["Offset of field: __va_list_tag::reg_save_area"]
        [::core::mem::offset_of!(__va_list_tag, reg_save_area) - 16usize];
};
