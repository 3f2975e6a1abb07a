#include "services/guide_pdf.h"

#include <cairo-pdf.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include <memory>

namespace shequ::services {
namespace {

namespace json = boost::json;

constexpr double kPageWidth = 595.0, kPageHeight = 842.0, kMargin = 56.0;  // A4 in points

std::string Text(const json::object& guide, const char* key) {
  const json::value* v = guide.if_contains(key);
  if (v == nullptr) return "";
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  return "";
}

std::vector<std::string> List(const json::object& guide, const char* key) {
  std::vector<std::string> out;
  const json::value* v = guide.if_contains(key);
  if (v != nullptr && v->is_array()) {
    for (const auto& item : v->as_array())
      if (item.is_string()) out.emplace_back(item.as_string());
  }
  return out;
}

// Lays out paragraphs top to bottom, starting a new page when one is full.
class Writer {
 public:
  explicit Writer(cairo_t* cr) : cr_(cr) {}

  void Paragraph(const std::string& text, double size, bool bold = false, double indent = 0) {
    PangoLayout* layout = pango_cairo_create_layout(cr_);
    PangoFontDescription* font = pango_font_description_from_string("WenQuanYi Micro Hei");
    pango_font_description_set_absolute_size(font, size * PANGO_SCALE);
    if (bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(layout, font);
    pango_layout_set_width(layout, static_cast<int>((kPageWidth - 2 * kMargin - indent) * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout, text.c_str(), -1);  // plain text: no markup to escape
    int width = 0, height = 0;
    pango_layout_get_pixel_size(layout, &width, &height);
    if (y_ + height > kPageHeight - kMargin) {
      cairo_show_page(cr_);
      y_ = kMargin;
    }
    cairo_move_to(cr_, kMargin + indent, y_);
    pango_cairo_show_layout(cr_, layout);
    y_ += height + size * 0.5;
    pango_font_description_free(font);
    g_object_unref(layout);
  }

  void Section(const std::string& heading, const std::vector<std::string>& lines, bool numbered = false) {
    if (lines.empty() || (lines.size() == 1 && lines[0].empty())) return;
    y_ += 6;
    Paragraph(heading, 15, true);
    for (size_t i = 0; i < lines.size(); ++i)
      Paragraph((numbered ? std::to_string(i + 1) + ". " : lines.size() > 1 ? "□ " : "") + lines[i], 13, false, 12);
  }

 private:
  cairo_t* cr_;
  double y_ = kMargin;
};

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::string GuidePdf(const json::object& guide) {
  std::string pdf;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(Append, &pdf, kPageWidth, kPageHeight);
  cairo_t* cr = cairo_create(surface);
  Writer w(cr);
  w.Paragraph(Text(guide, "name"), 22, true);
  w.Paragraph(Text(guide, "name_en") + "  ·  " + Text(guide, "category"), 11);
  w.Paragraph(Text(guide, "summary"), 14);
  std::string days = Text(guide, "time_limit_days");
  w.Section("谁能办", {Text(guide, "eligibility")});
  w.Section("要带什么", List(guide, "materials"));
  w.Section("怎么办", List(guide, "steps"), true);
  w.Section("多久办好", {days == "0" ? "当场办结" : days.empty() ? "" : days + " 个工作日"});
  w.Section("收费", {Text(guide, "fee")});
  w.Section("在哪里办", List(guide, "where"));
  w.Section("依据", {Text(guide, "legal_basis")});
  w.Paragraph("示例内容，以街镇公布为准 / Sample content: the subdistrict's published guide prevails", 10);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_surface_destroy(surface);
  return pdf;
}

}  // namespace shequ::services
