// QR codes for the terminal, so that an invite can be scanned from a screen.
#ifndef HAMLET_CLI_QR_H_
#define HAMLET_CLI_QR_H_

#include <string>

namespace hamlet::cli {

// The QR code of text drawn with Unicode half blocks (two modules per
// character cell), dark on light, with a quiet zone. Empty if text cannot be
// encoded.
std::string TerminalQr(const std::string& text);

}  // namespace hamlet::cli

#endif  // HAMLET_CLI_QR_H_
