// Every fixed upper bound of the project lives here: queues, batches, buffers, loops, and the
// sizes of untrusted input. A limit is named for what it bounds, with `_max` last.
#pragma once

#include <cstddef>
#include <cstdint>

namespace loyalty::limits {

// --- JSON text (rule bundles, customer states, receipts) ---
inline constexpr std::size_t json_bytes_max = 4 * 1024 * 1024;
inline constexpr std::size_t json_depth_max = 32;
inline constexpr std::size_t json_string_bytes_max = 4096;
inline constexpr std::size_t json_array_items_max = 100000;
inline constexpr std::size_t json_object_members_max = 1000;

// --- Money and points: bounded so that every product below fits in int64 ---
// 10^12 minor units is 10 billion in a two-decimal currency: beyond any single receipt.
inline constexpr std::int64_t amount_minor_max = 1'000'000'000'000;
inline constexpr std::int64_t points_max = 1'000'000'000'000;
// Rates: basis points (1/100 of a percent) and percent multipliers. With these bounds a receipt
// earns at most 10^14 base points, and a multiplier's share (base x 900) stays below 2^63.
inline constexpr std::int64_t basis_points_max = 10'000;  // 100 %
inline constexpr std::int64_t earn_points_per_unit_max = 100;
inline constexpr std::int64_t multiplier_percent_max = 1'000;  // x10
// Settlement between coalition partners: money per point.
inline constexpr std::int64_t settlement_per_point_minor_max = 10'000;
inline constexpr std::int64_t quantity_max = 100'000;

// --- Rule bundles ---
inline constexpr std::size_t program_rules_max = 5000;
inline constexpr std::size_t program_tiers_max = 16;
inline constexpr std::size_t program_partners_max = 64;
inline constexpr std::size_t program_rewards_max = 1000;
inline constexpr std::size_t program_charities_max = 64;
inline constexpr std::size_t company_bands_max = 16;
inline constexpr std::size_t rule_filter_items_max = 1000;
inline constexpr std::size_t rule_thresholds_max = 32;  // progressive thresholds, volume steps
inline constexpr std::size_t program_budgets_max = 1000;
// Entries (budget, period, spent) one quote is given about what its budgets spent already.
inline constexpr std::size_t budget_spent_entries_max = 10'000;
// Days a recency rule may count (a progressive step-down, a win-back absence): ten years.
inline constexpr std::int64_t recency_days_max = 3650;
inline constexpr std::size_t id_bytes_max = 64;

// --- Receipts and customers ---
inline constexpr std::size_t receipt_lines_max = 1000;
inline constexpr std::size_t receipt_coupons_max = 32;
inline constexpr std::size_t receipt_events_max = 32;
inline constexpr std::size_t receipt_donations_max = 8;
inline constexpr std::size_t customer_lots_max = 10000;
inline constexpr std::size_t customer_segments_max = 64;
inline constexpr std::size_t customer_counters_max = 1000;

// --- Storage (the SQLite ledger) ---
// SQLite waits at most this long for another connection's write lock before failing with
// SQLITE_BUSY (PRAGMA busy_timeout).
inline constexpr std::int64_t sqlite_busy_timeout_ms_max = 60'000;
// Migrations in one build's ordered list.
inline constexpr std::size_t schema_migrations_max = 1000;
// Problems one Ledger::check() reports; it stops collecting after this many.
inline constexpr std::size_t ledger_check_problems_max = 100;
// Bytes of an account owner, a receipt id, a transfer source label or a meta value.
inline constexpr std::size_t ledger_text_bytes_max = 256;
// Lots one expire_lots() call turns into breakage; a later call takes the rest.
inline constexpr std::size_t lot_expiry_batch_max = 10'000;
// Bytes of one event's JSON payload in the event chain.
inline constexpr std::size_t event_payload_bytes_max = 64 * 1024;
// Events one events_since() call returns, whatever the caller asks for.
inline constexpr std::size_t events_since_batch_max = 1000;
// A held redemption (an open receipt) older than this is voided by Till::void_expired_holds()
// unless the caller passes another timeout.
inline constexpr std::int64_t receipt_hold_timeout_s_default = 15 * 60;
inline constexpr std::int64_t receipt_hold_timeout_s_max = 7 * 24 * 3600;
// Open receipts one void_expired_holds() call cancels; a later call takes the rest.
inline constexpr std::size_t expired_holds_batch_max = 1000;
// What the ledger's read-only views return at most (storage/views.h): the live lots of one
// customer, and the entries of one customer's history.
inline constexpr std::size_t balance_lots_max = 1000;
inline constexpr std::size_t history_entries_max = 200;
// Items (customers, blocklist changes, erasures, corrections) in one HQ update: a nightly batch
// for one store's customers fits; a bigger one is split by sync.
inline constexpr std::size_t hq_update_items_max = 100'000;
// Pending transfers (holds) of one open receipt: one per burn entry of its quote.
inline constexpr std::size_t receipt_holds_max = 2 * receipt_lines_max;
// Rows of software_releases (the releases that opened the ledger) one Ledger::releases() call
// returns, the most recently opened first; a release name is at most id_bytes_max bytes.
inline constexpr std::size_t ledger_releases_max = 32;

// Reader input (drivers/). Bits of one raw magnetic-stripe track stream, clocking zeros included:
// track 3 at 210 bpi on a full-length card is about 750 bits; readers add a few hundred clocking
// bits at most.
inline constexpr std::size_t magstripe_track_bits_max = 4096;
// Bytes of one keyboard-wedge swipe line: three framed tracks (79 + 40 + 107 characters) and
// their framing fit with room to spare.
inline constexpr std::size_t wedge_line_bytes_max = 512;
// Bytes of one track field of the 337-byte HID swipe report (bytes 7-116, 117-226, 227-336).
inline constexpr std::size_t hid_track_bytes_max = 110;

// Bytes of one scanned label (the data of a barcode, a QR code or a serial frame, AIM id
// excluded). A QR code holds at most 2953 bytes; loyalty tokens are far shorter.
inline constexpr std::size_t scan_label_bytes_max = 4096;
// Bytes of a HID report descriptor (the kernel's HID_MAX_DESCRIPTOR_SIZE).
inline constexpr std::size_t hid_report_descriptor_bytes_max = 4096;
// Bytes of one HID input report read from hidraw.
inline constexpr std::size_t hid_report_bytes_max = 4096;
// Input reports one scan of a HID POS scanner may span before it is dropped as runaway.
inline constexpr std::size_t hid_scan_reports_max = 64;
// HID report descriptors (HID 1.11 section 6.2.2): Push depth, Collection nesting, bits of one
// report field element (the kernel's bound), Usage items queued before one Main item.
inline constexpr std::size_t hid_global_stack_depth_max = 8;
inline constexpr std::size_t hid_collection_depth_max = 16;
inline constexpr std::size_t hid_report_size_bits_max = 256;
inline constexpr std::size_t hid_local_usages_max = 1024;
// Events (data and error) a device holds while the application has DataEventEnabled off; more
// input is dropped with one ErrorEvent.
inline constexpr std::size_t device_event_queue_max = 64;
// Keyboard-wedge and serial scanners: silence after which a scan without its suffix ends.
inline constexpr std::int64_t scan_idle_timeout_ms_default = 100;
// Keyboard-wedge and serial scanners: bytes of the prefix a scanner is configured to send.
inline constexpr std::size_t scan_prefix_bytes_max = 16;
// Bytes of a scan that escape_scan_for_log() shows; the rest is summarised by its length.
inline constexpr std::size_t scan_log_excerpt_bytes_max = 64;
// Serial scanners: reconnect delay, doubled after each failed attempt between these bounds.
inline constexpr std::int64_t serial_reconnect_delay_ms_min = 250;
inline constexpr std::int64_t serial_reconnect_delay_ms_max = 30'000;
// Device monitor: udev events handled per wake-up of the event loop (the rest wait for the next),
// and the rescan period when no udev monitor can be had (containers without udevd's netlink).
inline constexpr std::size_t device_monitor_events_per_wake_max = 64;
inline constexpr std::int64_t device_rescan_interval_ms_default = 2'000;
// Vendor-class USB scanners (libusb): IN transfers kept in flight and the bytes of each; the
// libusb event passes (of usb_drain_pass_ms each) closing waits for cancelled transfers to come
// back; failed transfers in a row before reading stops; the poll interval for a descriptor epoll
// cannot watch (a regular file standing in for usbdevfs under umockdev).
inline constexpr std::size_t usb_transfers_in_flight_max = 16;
inline constexpr std::size_t usb_transfer_bytes_max = 4096;
inline constexpr std::size_t usb_drain_passes_max = 40;
inline constexpr std::int64_t usb_drain_pass_ms = 50;
inline constexpr std::size_t usb_transfer_errors_in_a_row_max = 8;
inline constexpr std::int64_t usb_unpollable_fd_poll_ms = 2;
// Images decoded by the camera path and loyaltyctl scan --image: file size and pixel count.
inline constexpr std::size_t image_file_bytes_max = 32 * 1024 * 1024;
inline constexpr std::size_t image_pixels_max = 4096 * 4096;
// Image files: width or height (libpng's user limits; a 16777216x1 image would need a row buffer
// of 128 MiB), working memory of the JPEG decoder (a progressive 4096x4096 colour JPEG keeps
// about 100 MiB of coefficients), scans of a progressive JPEG (a real one has about ten; a crafted
// one with thousands of tiny scans costs minutes of CPU), and the bytes one ancillary PNG chunk
// may take once decompressed (libpng's png_set_chunk_malloc_max) and the ancillary chunks it keeps
// (png_set_chunk_cache_max).
inline constexpr std::size_t image_side_pixels_max = 16384;
inline constexpr std::size_t image_decoder_memory_bytes_max = 160 * 1024 * 1024;
inline constexpr std::size_t image_jpeg_scans_max = 100;
inline constexpr std::size_t image_png_chunk_bytes_max = 1024 * 1024;
inline constexpr std::size_t image_png_chunks_max = 64;
// Symbols one decoded frame or image may report (ImageDecoder stops looking after that many).
inline constexpr std::size_t image_symbols_max = 16;
// Bar regions (blocks whose gradients line up like a linear symbol's bars) of one frame that an
// ImageDecoder turns upright and decodes again when the frame as it is gave no linear symbol.
inline constexpr std::size_t image_bar_regions_max = 3;
// Camera streams (FrameConfirmer): a symbol is released when a second frame decodes the same type
// and label within camera_confirm_frames_max frames and camera_confirm_window_ms of the first;
// once released it is not released again until it has been out of sight for more than
// camera_gone_frames_min frames and camera_gone_ms (a card held in view is one scan); at most
// camera_tracked_symbols_max symbols are remembered at once (the stalest is forgotten first).
inline constexpr std::size_t camera_confirm_frames_max = 5;
inline constexpr std::int64_t camera_confirm_window_ms = 1'000;
inline constexpr std::size_t camera_gone_frames_min = 15;
inline constexpr std::int64_t camera_gone_ms = 1'000;
inline constexpr std::size_t camera_tracked_symbols_max = 16;
// Camera frame sources (drivers/camera/frame_source.h). V4L2: the mmap capture buffers a stream
// asks the driver for by default and at most (more is refused: each holds a whole frame), the
// frame rates a source may be set to, and the wake-ups in a row without a frame (the node says
// it is readable and VIDIOC_DQBUF answers EAGAIN) before the stream is taken for broken.
// Recorded frames: the frames and the pixel bytes one recording may hold in memory, and the
// entries of a recording's directory looked at (image files and others alike).
inline constexpr std::size_t camera_v4l2_buffers_default = 4;
inline constexpr std::size_t camera_v4l2_buffers_max = 8;
inline constexpr int camera_frames_per_second_max = 120;
inline constexpr std::size_t camera_empty_wakes_in_a_row_max = 64;
inline constexpr std::size_t camera_recorded_frames_max = 4096;
inline constexpr std::size_t camera_recorded_bytes_max = 128 * 1024 * 1024;
inline constexpr std::size_t camera_recorded_directory_entries_max = 16384;

// Identification (core/identification.h): the text of one token as scanned or typed.
inline constexpr std::size_t identification_input_bytes_max = 512;
// Configured prefixes of one kind (the prefixes of one card range, GS1 coupon prefixes).
inline constexpr std::size_t identification_prefixes_max = 32;
// Card ranges of one program's identification rules, and allowed lengths of one range.
inline constexpr std::size_t identification_card_ranges_max = 64;
inline constexpr std::size_t identification_card_lengths_max = 12;
// Bytes of the key id of a signed app token, and keys a token verifier holds.
inline constexpr std::size_t token_key_id_bytes_max = 32;
inline constexpr std::size_t token_keys_max = 64;
// Bytes of one HMAC key (drivers/hmac_keys.h); SHA-256 hashes a longer key down to 32 bytes.
inline constexpr std::size_t hmac_key_bytes_max = 1024;

// Bytes of an IANA time zone name ("America/Argentina/ComodRivadavia" is 32).
inline constexpr std::size_t time_zone_name_bytes_max = 128;

// --- Sync (terminal <-> HQ; sync/, docs/sync.md) ---
// Events in one uplink batch, and the bytes of a batch as sent (zstd) and once decompressed.
inline constexpr std::size_t sync_batch_events_max = 1000;
inline constexpr std::size_t sync_batch_compressed_bytes_max = 16 * 1024 * 1024;
inline constexpr std::size_t sync_batch_bytes_max = 80 * 1024 * 1024;
// Items in one downlink answer, and the bytes of a downlink answer once decompressed.
inline constexpr std::size_t sync_downlink_items_max = 1000;
inline constexpr std::size_t sync_downlink_bytes_max = 32 * 1024 * 1024;
// Bytes of an id on the wire: store, terminal, key id, item id.
inline constexpr std::size_t sync_id_bytes_max = 64;
// Bytes of a PEM file (certificate, key, CA bundle) read by sync.
inline constexpr std::size_t sync_pem_bytes_max = 1024 * 1024;
// Retry backoff of the sync client: the first wait, the longest, both in milliseconds.
inline constexpr std::int64_t sync_backoff_initial_ms = 500;
inline constexpr std::int64_t sync_backoff_max_ms = 60'000;
// The longest an HQ holds a downlink long poll open before it answers "nothing new".
inline constexpr std::int64_t sync_long_poll_ms_max = 30'000;
// Connections an HQ serves at once, and the bytes of one HTTP request's header block.
inline constexpr std::size_t hq_connections_max = 4096;
inline constexpr std::size_t hq_header_bytes_max = 16 * 1024;
// Signing keys an HQ or terminal trusts at once (rotation keeps the old beside the new).
inline constexpr std::size_t sync_trusted_keys_max = 16;
// The largest zstd window a decoder accepts (log2 bytes: 16 MiB), so a frame cannot make it
// allocate more than that beside its output. zstd's level 19 uses at most 2^23 for our sizes.
inline constexpr int sync_zstd_window_log_max = 24;
// Bytes a zstd decoder produces per step into its fixed buffer before it checks the bound.
inline constexpr std::size_t sync_zstd_chunk_bytes_max = 64 * 1024;
// Bytes of a quarantine message in an ack, and of a block reason in the downlink.
inline constexpr std::size_t sync_message_bytes_max = 1024;

// Journal events one HqStore::apply() call applies, whatever the caller asks for; a later call
// takes the rest.
inline constexpr std::size_t hq_apply_events_max = 10'000;
// Entries of a customer's history one HqStore::customer() call returns, whatever is asked.
inline constexpr std::size_t hq_history_entries_max = 1000;
// Business days one nightly report covers (sync/nightly_report.h): a year and a day.
inline constexpr std::int64_t hq_report_days_max = 366;

// The HQ service (sync/hq_service.h): worker threads running HqStore calls (each with its own
// store), and the jobs waiting for them (more is answered 503: retry later).
inline constexpr std::size_t hq_workers_default = 2;
inline constexpr std::size_t hq_workers_max = 64;
inline constexpr std::size_t hq_jobs_queued_max = 1024;
// Downlink long polls held at once (one per connection at most, so the connections bound it).
inline constexpr std::size_t hq_long_polls_max = hq_connections_max;
// How often the service looks in the store for what was published (possibly by another
// process) while long polls wait, and how often it applies the journal without a new batch
// (expiry at HQ, what a released terminal holds).
inline constexpr std::int64_t hq_watch_interval_ms = 100;
inline constexpr std::int64_t hq_apply_interval_ms = 60'000;
// Bytes of a refusal message a service log line quotes; the rest is cut.
inline constexpr std::size_t hq_log_message_bytes_max = 300;

// --- HQ on PostgreSQL (sync/src/hq/postgres/, docs/hq-postgres.md) ---
// Rows per FETCH of scan_journal's cursor: bounds the memory of one chunk (events up to a few
// kilobytes each) while keeping the round trips few.
inline constexpr std::size_t hq_pg_scan_fetch_rows_max = 1000;
// How long a statement waits for a lock before it fails with ErrorCode::busy (lock_timeout,
// SQLSTATE 55P03): the SQLite store's default busy timeout, so that both backends give a waiting
// worker the same patience. Never more than the statement timeout.
inline constexpr std::int64_t hq_pg_lock_timeout_ms = 5000;
// The lock wait of partition maintenance (ensure/detach): its ALTER TABLEs queue ahead of the
// ingest's statements while they wait, so they give up soon (busy) rather than stall ingest.
inline constexpr std::int64_t hq_pg_ddl_lock_timeout_ms = 2000;
// Days of partitions one ensure_journal_partitions call may create (ten years).
inline constexpr std::int64_t hq_pg_partition_days_max = 3660;
// Limits on the options of open_postgres_hq_store (PostgresHqOptions): one hour to connect, one
// day per statement; 0 means no limit, as in libpq and PostgreSQL.
inline constexpr int hq_pg_connect_timeout_s_max = 3600;
inline constexpr int hq_pg_statement_timeout_ms_max = 86'400'000;

// --- HQ's nightly report and what-if backtest (sync/src/report/, sync/src/backtest/) ---
// Worker threads of one backtest (Backtest::start, `loyalty-hq simulate --threads`).
inline constexpr unsigned hq_backtest_threads_max = 64;
// Each part of the report's --point-value MINOR/POINTS.
inline constexpr std::int64_t hq_point_value_part_max = 1'000'000'000;
// Bytes of the Chart.js file inlined into the HTML pages.
inline constexpr std::size_t hq_chart_js_bytes_max = 4 * 1024 * 1024;
// Bounds of the report and backtest documents as their HTML renderer reads them. They are HQ's
// own output, but the renderer checks them as it would untrusted input: every loop over a
// document's array is bounded by one of these.
inline constexpr std::int64_t hq_document_count_max = 1'000'000'000'000;  // receipts, customers
inline constexpr std::int64_t hq_document_points_max = 1'000'000'000'000;
inline constexpr std::int64_t hq_document_money_minor_max = 1'000'000'000'000;
inline constexpr std::size_t hq_document_stores_max = 10'000;
inline constexpr std::size_t hq_document_days_max = 3'660;  // ten years of business dates
inline constexpr std::size_t hq_document_top_rules_max = 10;
inline constexpr std::size_t hq_document_budgets_max = 1'000;
inline constexpr std::size_t hq_document_skipped_reasons_max = 100;
inline constexpr std::size_t hq_document_tier_customers_max = 100;
inline constexpr std::size_t hq_document_text_bytes_max = 256;  // ids, names, reasons
inline constexpr std::size_t hq_document_bytes_max = 64 * 1024 * 1024;

}  // namespace loyalty::limits
