// Byte-exact HID report descriptors for the descriptor and HID POS scanner tests: a
// Honeywell-style scanner, a scanner of another layout, a minimal unnumbered one, and the boot
// keyboard of HID 1.11 appendix B.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace drivers_test {

using Bytes = std::vector<std::uint8_t>;

// Honeywell-style HID POS scanner. Input report 2 (64 bytes with its ID): byte 1 Byte Count,
// bytes 2-4 Symbology Identifier 1-3, bytes 5-60 Decoded Data, bytes 61-62 vendor bytes, byte 63
// bit 0 Decoded Data Continued. Output report 0xFD (63 vendor bytes, commands) and Feature report
// 0xFE (1 byte: the HID POS mode switch).
inline const Bytes kHoneywellDescriptor = {
    0x05, 0x8C,        // Usage Page (Bar Code Scanner)
    0x09, 0x02,        // Usage (Bar Code Scanner)
    0xA1, 0x01,        // Collection (Application)
    0x09, 0x12,        //   Usage (Scanned Data Report)
    0xA1, 0x02,        //   Collection (Logical)
    0x85, 0x02,        //     Report ID (2)
    0x15, 0x00,        //     Logical Minimum (0)
    0x26, 0xFF, 0x00,  //     Logical Maximum (255)
    0x75, 0x08,        //     Report Size (8)
    0x95, 0x01,        //     Report Count (1)
    0x05, 0x01,        //     Usage Page (Generic Desktop)
    0x09, 0x3B,        //     Usage (Byte Count)
    0x81, 0x02,        //     Input (Data, Var, Abs)
    0x95, 0x03,        //     Report Count (3)
    0x05, 0x8C,        //     Usage Page (Bar Code Scanner)
    0x09, 0xFB,        //     Usage (Symbology Identifier 1)
    0x09, 0xFC,        //     Usage (Symbology Identifier 2)
    0x09, 0xFD,        //     Usage (Symbology Identifier 3)
    0x81, 0x02,        //     Input (Data, Var, Abs)
    0x95, 0x38,        //     Report Count (56)
    0x09, 0xFE,        //     Usage (Decoded Data)
    0x82, 0x02, 0x01,  //     Input (Data, Var, Abs, Buffered Bytes)
    0x06, 0x66, 0xFF,  //     Usage Page (vendor 0xFF66)
    0x95, 0x02,        //     Report Count (2)
    0x09, 0x01,        //     Usage (vendor 1: code id)
    0x09, 0x02,        //     Usage (vendor 2)
    0x81, 0x02,        //     Input (Data, Var, Abs)
    0x05, 0x8C,        //     Usage Page (Bar Code Scanner)
    0x25, 0x01,        //     Logical Maximum (1)
    0x75, 0x01,        //     Report Size (1)
    0x95, 0x01,        //     Report Count (1)
    0x09, 0xFF,        //     Usage (Decoded Data Continued)
    0x81, 0x02,        //     Input (Data, Var, Abs)
    0x75, 0x07,        //     Report Size (7)
    0x81, 0x03,        //     Input (Const, Var, Abs): padding
    0xC0,              //   End Collection
    0x06, 0x66, 0xFF,  //   Usage Page (vendor 0xFF66)
    0x09, 0x04,        //   Usage (vendor 4: command)
    0x85, 0xFD,        //   Report ID (0xFD)
    0x26, 0xFF, 0x00,  //   Logical Maximum (255)
    0x75, 0x08,        //   Report Size (8)
    0x95, 0x3F,        //   Report Count (63)
    0x91, 0x02,        //   Output (Data, Var, Abs)
    0x09, 0x05,        //   Usage (vendor 5: mode)
    0x85, 0xFE,        //   Report ID (0xFE)
    0x95, 0x01,        //   Report Count (1)
    0xB1, 0x02,        //   Feature (Data, Var, Abs)
    0xC0,              // End Collection
};

// Another vendor's layout, uncounted. Input report 1: a vendor status byte. Input report 4 (66
// bytes with its ID): byte 1 vendor status, bytes 2-61 Decoded Data (a 4-byte extended Usage,
// given while the Usage Page is Generic Desktop), bytes 62-64 Symbology Identifier 1-3 (a Usage
// Minimum/Maximum range), byte 65 bit 3 Decoded Data Continued.
inline const Bytes kOtherVendorDescriptor = {
    0x05, 0x8C,                    // Usage Page (Bar Code Scanner)
    0x09, 0x02,                    // Usage (Bar Code Scanner)
    0xA1, 0x01,                    // Collection (Application)
    0x85, 0x01,                    //   Report ID (1)
    0x06, 0x00, 0xFF,              //   Usage Page (vendor 0xFF00)
    0x09, 0x20,                    //   Usage (vendor 0x20: status)
    0x15, 0x00,                    //   Logical Minimum (0)
    0x26, 0xFF, 0x00,              //   Logical Maximum (255)
    0x75, 0x08,                    //   Report Size (8)
    0x95, 0x01,                    //   Report Count (1)
    0x81, 0x02,                    //   Input (Data, Var, Abs)
    0x85, 0x04,                    //   Report ID (4)
    0x05, 0x8C,                    //   Usage Page (Bar Code Scanner)
    0x09, 0x12,                    //   Usage (Scanned Data Report)
    0xA1, 0x02,                    //   Collection (Logical)
    0x06, 0x00, 0xFF,              //     Usage Page (vendor 0xFF00)
    0x09, 0x21,                    //     Usage (vendor 0x21)
    0x81, 0x02,                    //     Input (Data, Var, Abs)
    0x05, 0x01,                    //     Usage Page (Generic Desktop)
    0x0B, 0xFE, 0x00, 0x8C, 0x00,  //     Usage (0x8C:0xFE Decoded Data, extended)
    0x95, 0x3C,                    //     Report Count (60)
    0x81, 0x02,                    //     Input (Data, Var, Abs)
    0x05, 0x8C,                    //     Usage Page (Bar Code Scanner)
    0x19, 0xFB,                    //     Usage Minimum (Symbology Identifier 1)
    0x29, 0xFD,                    //     Usage Maximum (Symbology Identifier 3)
    0x95, 0x03,                    //     Report Count (3)
    0x81, 0x02,                    //     Input (Data, Var, Abs)
    0x75, 0x01,                    //     Report Size (1)
    0x95, 0x03,                    //     Report Count (3)
    0x81, 0x03,                    //     Input (Const): padding
    0x25, 0x01,                    //     Logical Maximum (1)
    0x09, 0xFF,                    //     Usage (Decoded Data Continued)
    0x95, 0x01,                    //     Report Count (1)
    0x81, 0x02,                    //     Input (Data, Var, Abs)
    0x75, 0x04,                    //     Report Size (4)
    0x81, 0x03,                    //     Input (Const): padding
    0xC0,                          //   End Collection
    0xC0,                          // End Collection
};

// The smallest scanner: no Report ID, 32 bytes of Decoded Data, nothing else.
inline const Bytes kMinimalScannerDescriptor = {
    0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01,  // Usage Page, Usage (Bar Code Scanner), Application
    0x15, 0x00, 0x26, 0xFF, 0x00,        // Logical Minimum (0), Maximum (255)
    0x75, 0x08, 0x95, 0x20,              // Report Size (8), Count (32)
    0x09, 0xFE, 0x81, 0x02,              // Usage (Decoded Data), Input (Data, Var, Abs)
    0xC0,                                // End Collection
};

// The boot keyboard of HID 1.11 appendix B.1.
inline const Bytes kBootKeyboardDescriptor = {
    0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25, 0x01,
    0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01, 0x95, 0x05, 0x75, 0x01,
    0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, 0x95, 0x01, 0x75, 0x03, 0x91, 0x01, 0x95, 0x06,
    0x75, 0x08, 0x15, 0x00, 0x25, 0x65, 0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00, 0xC0,
};

// One Honeywell-style input report: `data` (at most 56 bytes), the AIM id, the continuation bit.
inline Bytes honeywell_report(const std::string& data, const std::string& aim, bool more) {
  Bytes report(64, 0);
  report[0] = 0x02;
  report[1] = static_cast<std::uint8_t>(data.size());
  for (std::size_t i = 0; i < 3 && i < aim.size(); ++i) {
    report[2 + i] = static_cast<std::uint8_t>(aim[i]);
  }
  for (std::size_t i = 0; i < data.size() && i < 56; ++i) {
    report[5 + i] = static_cast<std::uint8_t>(data[i]);
  }
  report[61] = 0x73;  // vendor code id byte, ignored by the parser
  report[63] = more ? 0x01 : 0x00;
  return report;
}

// One input report of kOtherVendorDescriptor: `data` (at most 60 bytes, NUL padded).
inline Bytes other_vendor_report(const std::string& data, const std::string& aim, bool more) {
  Bytes report(66, 0);
  report[0] = 0x04;
  report[1] = 0x5A;  // vendor status byte
  for (std::size_t i = 0; i < data.size() && i < 60; ++i) {
    report[2 + i] = static_cast<std::uint8_t>(data[i]);
  }
  for (std::size_t i = 0; i < 3 && i < aim.size(); ++i) {
    report[62 + i] = static_cast<std::uint8_t>(aim[i]);
  }
  report[65] = more ? 0x08 : 0x00;
  return report;
}

}  // namespace drivers_test
