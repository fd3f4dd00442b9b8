// The decompressing ByteSources (byte_source.h picks one by the input's first bytes).
#pragma once

#include <memory>
#include <string>

#include "workloads/byte_source.h"

namespace s2sim::workloads {

// gzip (RFC 1952) through zlib's inflate; concatenated members are read one after
// the other, as gzip -d does.
std::unique_ptr<ByteSource> make_gzip_source(std::unique_ptr<RawInput> raw, std::string head);
// Zstandard frames (RFC 8878) through libzstd's streaming decoder; concatenated
// frames are read one after the other.
std::unique_ptr<ByteSource> make_zstd_source(std::unique_ptr<RawInput> raw, std::string head);

}  // namespace s2sim::workloads
