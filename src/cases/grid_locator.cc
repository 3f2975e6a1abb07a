#include "cases/grid_locator.h"

#include <geos_c.h>

#include <cmath>
#include <mutex>
#include <numbers>

namespace shequ::cases {

struct GridLocator::Impl {
  GEOSContextHandle_t geos = GEOS_init_r();
  std::vector<GridShape> shapes;
  std::vector<GEOSGeometry*> geometries;
  std::vector<const GEOSPreparedGeometry*> prepared;
  GEOSSTRtree* tree = nullptr;
  // GEOS contexts and prepared geometries build their indexes lazily: one caller at a time.
  std::mutex mutex;

  ~Impl() {
    if (tree) GEOSSTRtree_destroy_r(geos, tree);
    for (auto* p : prepared) GEOSPreparedGeom_destroy_r(geos, p);
    for (auto* g : geometries) GEOSGeom_destroy_r(geos, g);
    GEOS_finish_r(geos);
  }
};

GridLocator::GridLocator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GridLocator::~GridLocator() = default;

Result<std::unique_ptr<GridLocator>> GridLocator::Create(const std::vector<GridShape>& shapes) {
  auto impl = std::make_unique<Impl>();
  GEOSWKTReader* reader = GEOSWKTReader_create_r(impl->geos);
  impl->tree = GEOSSTRtree_create_r(impl->geos, 10);
  Status failure;
  for (const GridShape& shape : shapes) {
    GEOSGeometry* g = GEOSWKTReader_read_r(impl->geos, reader, shape.wkt.c_str());
    int type = g ? GEOSGeomTypeId_r(impl->geos, g) : -1;
    if (!g || (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) || GEOSisValid_r(impl->geos, g) != 1) {
      if (g) GEOSGeom_destroy_r(impl->geos, g);
      failure = Status::Invalid("wkt", {"网格 " + shape.area_code + " 的边界不是有效的多边形",
                                        "The shape of grid " + shape.area_code + " is not a valid polygon"});
      break;
    }
    impl->geometries.push_back(g);
    impl->prepared.push_back(GEOSPrepare_r(impl->geos, g));
    impl->shapes.push_back(shape);
  }
  GEOSWKTReader_destroy_r(impl->geos, reader);
  if (!failure.ok()) return failure;
  for (size_t i = 0; i < impl->geometries.size(); ++i) {
    // The tree hands back the item pointer: the index into shapes, as a pointer value.
    GEOSSTRtree_insert_r(impl->geos, impl->tree, impl->geometries[i], reinterpret_cast<void*>(i + 1));
  }
  return std::unique_ptr<GridLocator>(new GridLocator(std::move(impl)));
}

std::optional<GridShape> GridLocator::Find(double lng, double lat) const {
  if (!std::isfinite(lng) || !std::isfinite(lat)) return std::nullopt;
  std::lock_guard lock(impl_->mutex);
  GEOSContextHandle_t geos = impl_->geos;
  GEOSGeometry* point = GEOSGeom_createPointFromXY_r(geos, lng, lat);
  struct Search {
    Impl* impl;
    const GEOSGeometry* point;
    std::optional<size_t> found;
  } search{impl_.get(), point, std::nullopt};
  GEOSSTRtree_query_r(
      geos, impl_->tree, point,
      [](void* item, void* data) {
        auto* s = static_cast<Search*>(data);
        size_t i = reinterpret_cast<size_t>(item) - 1;
        if (!s->found && GEOSPreparedIntersects_r(s->impl->geos, s->impl->prepared[i], s->point) == 1) s->found = i;
      },
      &search);
  GEOSGeom_destroy_r(geos, point);
  if (!search.found) return std::nullopt;
  return impl_->shapes[*search.found];
}

size_t GridLocator::size() const { return impl_->shapes.size(); }

std::optional<std::string> GeoJsonOf(const std::string& wkt) {
  GEOSContextHandle_t geos = GEOS_init_r();
  GEOSWKTReader* reader = GEOSWKTReader_create_r(geos);
  GEOSGeoJSONWriter* writer = GEOSGeoJSONWriter_create_r(geos);
  std::optional<std::string> out;
  if (GEOSGeometry* g = GEOSWKTReader_read_r(geos, reader, wkt.c_str())) {
    if (char* text = GEOSGeoJSONWriter_writeGeometry_r(geos, writer, g, -1)) {
      out = text;
      GEOSFree_r(geos, text);
    }
    GEOSGeom_destroy_r(geos, g);
  }
  GEOSGeoJSONWriter_destroy_r(geos, writer);
  GEOSWKTReader_destroy_r(geos, reader);
  GEOS_finish_r(geos);
  return out;
}

double DistanceMeters(double lng1, double lat1, double lng2, double lat2) {
  constexpr double kEarthRadius = 6371008.8;
  auto rad = [](double deg) { return deg * std::numbers::pi / 180.0; };
  double dlat = rad(lat2 - lat1), dlng = rad(lng2 - lng1);
  double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
             std::cos(rad(lat1)) * std::cos(rad(lat2)) * std::sin(dlng / 2) * std::sin(dlng / 2);
  return 2 * kEarthRadius * std::asin(std::min(1.0, std::sqrt(a)));
}

}  // namespace shequ::cases
