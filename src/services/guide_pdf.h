#pragma once
// A service guide as a printable A4 PDF (cairo + pango with WenQuanYi Micro
// Hei from fonts-wqy-microhei: libharu drops most Chinese glyphs).
#include <boost/json.hpp>
#include <string>

namespace shequ::services {

// The PDF bytes of `guide` (the JSON of Catalog::Get).
std::string GuidePdf(const boost::json::object& guide);

}  // namespace shequ::services
