#include "qr.h"

#include <qrencode.h>

#include <memory>

namespace hamlet::cli {

std::string TerminalQr(const std::string& text) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1),
                                                      &QRcode_free);
  if (!qr) return "";
  const int quiet = 2;
  const int size = qr->width + 2 * quiet;
  auto dark = [&](int x, int y) {
    x -= quiet;
    y -= quiet;
    if (x < 0 || y < 0 || x >= qr->width || y >= qr->width) return false;
    return (qr->data[y * qr->width + x] & 1) != 0;
  };
  // A cell shows the upper module in its top half and the lower in its
  // bottom half. As in qrencode's own UTF8 output, light modules are block
  // glyphs and dark ones blank, which scans on a dark terminal background.
  std::string out;
  for (int y = 0; y < size; y += 2) {
    for (int x = 0; x < size; x++) {
      bool top = dark(x, y), bottom = y + 1 < size && dark(x, y + 1);
      if (top && bottom) out += " ";
      else if (top) out += "\u2584";     // Lower half light.
      else if (bottom) out += "\u2580";  // Upper half light.
      else out += "\u2588";
    }
    out += "\n";
  }
  return out;
}

}  // namespace hamlet::cli
