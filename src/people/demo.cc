#include <fmt/format.h>

#include <random>
#include <unordered_map>

#include "core/clock.h"
#include "people/people.h"
#include "people/registry_internal.h"
#include "people/validation.h"
#include "store/bulk_insert.h"

namespace shequ::people {
namespace {

// Common surnames and given-name characters: plausible names, not real people.
constexpr std::string_view kSurnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何",
    "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田",
    "董", "袁", "潘", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "沈", "姚", "陆", "顾",
    "钱", "严", "金", "范", "汪", "施", "倪", "俞", "瞿"};
constexpr std::string_view kGiven[] = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "文", "玉", "兰", "萍", "红", "燕", "海", "波",
    "宁", "晨", "欣", "怡", "佳", "俊", "浩", "宇", "子", "梓", "涵", "嘉", "雯", "琳", "倩", "瑶", "蕾",
    "根", "宝", "福", "荣", "凤", "珍", "德", "志", "新", "春", "云", "雪", "梅", "琴", "立", "彬"};
constexpr std::string_view kRoads[] = {
    "江苏路", "愚园路", "长宁路", "延安西路", "华山路", "武夷路", "番禺路", "新华路", "定西路", "安化路",
    "万航渡路", "凯旋路", "仙霞路", "天山路", "遵义路", "茅台路", "虹桥路", "哈密路", "剑河路", "北渔路",
    "平塘路", "泉口路", "金钟路", "福泉路", "天山西路", "古北路", "水城路", "威宁路", "昭化路", "镇宁路"};
// Birthplace prefixes: Shanghai's districts (including the abolished 卢湾 310103,
// which older residents' numbers still carry) and common provinces of origin.
constexpr std::string_view kShanghaiRegions[] = {"310105", "310105", "310105", "310104", "310106",
                                                 "310107", "310110", "310103", "310112", "310115"};
constexpr std::string_view kMigrantRegions[] = {"320102", "330106", "340102", "410102", "420102",
                                                "510104", "370102", "360102", "430102", "350102"};
constexpr std::string_view kHousingTypes[] = {"sold_public", "commodity", "commodity", "sold_public",
                                              "old_villa", "relocation", "managed_public", "foreign_commodity"};

struct Grid {
  std::string code, path;
};
struct Neighborhood {
  std::string code, name, path;
  std::vector<Grid> grids;
};

std::vector<Neighborhood> LoadNeighborhoods(store::Connection& conn) {
  std::vector<Neighborhood> out;
  std::unordered_map<std::string, size_t> index;
  for (const auto& r : conn.Query("SELECT code, name, path FROM areas WHERE level = 'neighborhood' ORDER BY code")) {
    index[r.Text(0)] = out.size();
    out.push_back({r.Text(0), r.Text(1), r.Text(2), {}});
  }
  for (const auto& r : conn.Query("SELECT code, path, parent_code FROM areas WHERE level = 'grid' ORDER BY code")) {
    out[index.at(r.Text(2))].grids.push_back({r.Text(0), r.Text(1)});
  }
  std::erase_if(out, [](const Neighborhood& n) { return n.grids.empty(); });
  return out;
}

class Generator {
 public:
  Generator(store::Connection& conn, const Vault& vault, uint64_t seed, std::string today)
      : conn_(conn), vault_(vault), rng_(seed), today_(std::move(today)), now_(FormatUtc(Clock::System().Now())),
        addresses_(conn, "addresses", {"id", "text", "road", "lane", "number", "building", "room", "area_code", "area_path"}),
        organizations_(conn, "organizations", {"id", "kind", "name", "credit_code", "address_id", "contact_name",
                                               "contact_phone", "area_code", "area_path", "created_at"}),
        compounds_(conn, "compounds", {"id", "name", "address_id", "housing_types", "year_built", "property_company_id",
                                       "owners_committee_id", "area_code", "area_path"}),
        buildings_(conn, "buildings", {"id", "compound_id", "number", "floors", "entrances", "elevator", "use",
                                       "year_built", "area_code", "area_path"}),
        dwellings_(conn, "dwellings", {"id", "building_id", "entrance", "floor", "room", "area_m2", "use", "tenure",
                                       "occupancy", "address_id", "area_code", "area_path"}),
        persons_(conn, "persons", {"id", "name", "document_type", "document_sealed", "document_hash", "document_masked",
                                   "sex", "birth_date", "phone_sealed", "phone_hash", "phone_masked", "hukou",
                                   "ethnicity", "dwelling_id", "area_code", "area_path", "created_at", "updated_at"}),
        residencies_(conn, "residencies", {"person_id", "dwelling_id", "relation", "start_date", "end_date", "reason",
                                           "end_reason", "area_path"}),
        care_tags_(conn, "care_tags", {"person_id", "tag", "set_by", "set_at", "reason"}) {
    organizations_.DependsOn(addresses_);
    compounds_.DependsOn(addresses_);
    compounds_.DependsOn(organizations_);
    buildings_.DependsOn(compounds_);
    dwellings_.DependsOn(buildings_);
    dwellings_.DependsOn(addresses_);
    persons_.DependsOn(dwellings_);
    residencies_.DependsOn(persons_);
    care_tags_.DependsOn(persons_);
  }

  void Neighborhood(const people::Neighborhood& n, int64_t persons) {
    int64_t committee = Organization("residents_committee", n.name + "居民委员会", "", n.grids[0]);
    (void)committee;
    for (int m = 0; m < 3; ++m) {
      Organization("merchant", fmt::format("{}{}便利店", Pick(kRoads), m + 1), "92", n.grids[m % n.grids.size()]);
    }
    int64_t left = persons;
    size_t grid = 0;
    while (left > 0) {
      int64_t size = std::min<int64_t>(left, 600 + static_cast<int64_t>(rng_() % 900));
      left -= Compound(n, n.grids[grid++ % n.grids.size()], size);
    }
  }

  void Flush() {
    for (auto* b : {&addresses_, &organizations_, &compounds_, &buildings_, &dwellings_, &persons_, &residencies_, &care_tags_}) {
      b->Flush();
    }
    for (const char* t : {"addresses", "organizations", "compounds", "buildings", "dwellings", "persons", "residencies", "care_tags"}) {
      store::AdvanceIdSequence(conn_, t);
    }
  }

  DemoCounts counts;

 private:
  template <class T, size_t N>
  std::string_view Pick(const T (&list)[N]) { return list[rng_() % N]; }
  int Uniform(int lo, int hi) { return lo + static_cast<int>(rng_() % static_cast<uint64_t>(hi - lo + 1)); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

  int64_t Address(const std::string& text, std::string_view road, const std::string& lane, const std::string& number,
                  const std::string& building, const std::string& room, const Grid& grid) {
    int64_t id = ++address_id_;
    addresses_.Add({id, text, std::string(road), lane, number, building, room, grid.code, grid.path});
    return id;
  }

  int64_t Organization(std::string_view kind, std::string name, std::string_view credit_prefix, const Grid& grid) {
    int64_t id = ++organization_id_;
    store::Value credit;
    if (!credit_prefix.empty()) {
      std::string org = fmt::format("{:09d}", id * 7919 % 1000000000);  // 9 digits: the organization code
      credit = MakeCreditCode(credit_prefix, "310105", org);
    }
    organizations_.Add({id, std::string(kind), std::move(name), credit, store::Value(), "", "", grid.code, grid.path, now_});
    ++counts.organizations;
    return id;
  }

  // A compound of about `people` residents; returns how many it got.
  int64_t Compound(const people::Neighborhood& n, const Grid& grid, int64_t people) {
    std::string_view road = Pick(kRoads);
    int lane = ++lanes_[std::string(road)] * 3 + 100;
    std::string type(Pick(kHousingTypes));
    bool tall = type == "commodity" || type == "foreign_commodity";
    int year = tall ? Uniform(1995, 2015) : Uniform(1955, 1994);
    int64_t id = ++compound_id_;
    std::string lane_text = fmt::format("{}弄", lane);
    int64_t address = Address(fmt::format("{}{}", road, lane_text), road, lane_text, "", "", "", grid);
    store::Value property = Organization("property_company", fmt::format("上海{}物业管理有限公司", Pick(kRoads).substr(0, 6)), "91", grid);
    store::Value owners = tall ? store::Value(Organization("owners_committee", fmt::format("{}{}弄业主委员会", road, lane), "", grid))
                               : store::Value();
    std::string name = tall ? fmt::format("{}{}", n.name.substr(0, n.name.size() - std::string_view("居民区").size()),
                                          Uniform(0, 1) ? "花园" : "苑")
                            : fmt::format("{}{}弄", road, lane);
    compounds_.Add({id, name, address, type, int64_t{year}, property, owners, grid.code, grid.path});
    ++counts.compounds;
    int64_t housed = 0;
    for (int number = 1; housed < people; ++number) housed += Building(id, grid, road, lane_text, number, tall, year, people - housed);
    return housed;
  }

  int64_t Building(int64_t compound, const Grid& grid, std::string_view road, const std::string& lane, int number,
                   bool tall, int year, int64_t people) {
    int64_t id = ++building_id_;
    int floors = tall ? Uniform(11, 30) : Uniform(5, 7);
    int entrances = tall ? 1 : Uniform(2, 4);
    int per_floor = tall ? Uniform(4, 8) : 2;
    buildings_.Add({id, compound, fmt::format("{}号", number), int64_t{floors}, int64_t{entrances}, int64_t{tall},
                    "residential", int64_t{year}, grid.code, grid.path});
    ++counts.buildings;
    int64_t housed = 0;
    for (int floor = 1; floor <= floors && housed < people; ++floor) {
      for (int e = 1; e <= entrances; ++e) {
        for (int u = 1; u <= per_floor; ++u) {
          std::string room = fmt::format("{}{:02d}", floor, (e - 1) * per_floor + u);
          std::string number_text = fmt::format("{}号", number);
          int64_t address = Address(fmt::format("{}{}{}{}室", road, lane, number_text, room), road, lane, number_text,
                                    "", room + "室", grid);
          housed += Dwelling(id, grid, e, floor, room, address, tall);
        }
      }
    }
    return housed;
  }

  int64_t Dwelling(int64_t building, const Grid& grid, int entrance, int floor, const std::string& room, int64_t address,
                   bool tall) {
    int64_t id = ++dwelling_id_;
    double roll = std::uniform_real_distribution<double>(0, 1)(rng_);
    std::string occupancy = roll < 0.08 ? "vacant" : roll < 0.30 ? "rented" : roll < 0.32 ? "group_rental_suspected" : "owner_occupied";
    double area = tall ? Uniform(60, 140) : Uniform(28, 70);
    dwellings_.Add({id, building, int64_t{entrance}, int64_t{floor}, room, area, "residential",
                    tall ? "private" : "sold_public", occupancy, address, grid.code, grid.path});
    ++counts.dwellings;
    if (occupancy == "vacant") return 0;
    int size = occupancy == "group_rental_suspected" ? Uniform(6, 10) : Uniform(1, 4);
    bool elderly_household = Chance(0.3);
    std::string moved_in = fmt::format("{}-{:02d}-{:02d}", Uniform(1985, 2025), Uniform(1, 12), Uniform(1, 28));
    int elderly = 0;
    for (int i = 0; i < size; ++i) {
      int age = elderly_household && i < 2 ? Uniform(60, 96) : AgeFromChangning();
      if (age >= 60) ++elderly;
      std::string relation = occupancy == "rented" ? "tenant" : occupancy == "group_rental_suspected" ? "collective" : i == 0 ? "owner" : "family";
      Person(id, grid, age, relation, moved_in, size, occupancy == "owner_occupied");
    }
    return size;
  }

  // About a quarter of Changning's residents are 60 or older.
  int AgeFromChangning() {
    double r = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (r < 0.11) return Uniform(0, 14);
    if (r < 0.73) return Uniform(15, 59);
    if (r < 0.94) return Uniform(60, 79);
    return Uniform(80, 100);
  }

  void Person(int64_t dwelling, const Grid& grid, int age, const std::string& relation, const std::string& moved_in,
              int household, bool owner_occupied) {
    int64_t id = ++person_id_;
    bool male = rng_() % 2;
    bool local = Chance(owner_occupied ? 0.85 : 0.35);
    std::string region(local ? Pick(kShanghaiRegions) : Pick(kMigrantRegions));
    int birth_year = std::stoi(today_.substr(0, 4)) - age;
    std::string month_day = fmt::format("{:02d}{:02d}", Uniform(1, 12), Uniform(1, 28));
    // Not born yet this year at that age: the birthday is still to come.
    if (month_day > today_.substr(5, 2) + today_.substr(8, 2)) --birth_year;
    std::string birth = fmt::format("{:04d}{}", birth_year, month_day);
    int& seq = sequences_[region + birth];
    // The 17th digit is odd for men: sequences step by two from the right parity.
    int sequence = (seq++ * 2 + (male ? 1 : 0)) % 1000;
    std::string number = MakeResidentId(region, birth, sequence);
    std::string birth_date = fmt::format("{}-{}-{}", birth.substr(0, 4), birth.substr(4, 2), birth.substr(6, 2));
    std::string name = fmt::format("{}{}{}", Pick(kSurnames), Pick(kGiven), Chance(0.7) ? Pick(kGiven) : "");
    internal::StoredPhone phone;
    if (age >= 12 && Chance(0.92)) {
      phone = internal::StorePhone(vault_, fmt::format("1{}{:09d}", Uniform(3, 9), static_cast<int>(rng_() % 1000000000)));
    }
    persons_.Add({id, name, "resident_id", vault_.Seal(number), vault_.LookupHash(number), MaskDocumentNumber(number),
                  male ? "male" : "female", birth_date, phone.sealed, phone.hash, phone.masked,
                  local ? "registered" : "migrant", "汉族", dwelling, grid.code, grid.path, now_, now_});
    ++counts.persons;
    std::string start = std::max(moved_in, birth_date);
    // Some residents moved within the neighborhood before: their timeline has two rows.
    if (dwelling > 1 && id % 40 == 0 && start > "1990-01-01") {
      residencies_.Add({id, dwelling - 1, relation, "1990-01-01", start, "迁入", "moved", grid.path});
    }
    residencies_.Add({id, dwelling, relation, start, store::Value(), "迁入", store::Value(), grid.path});
    CareTags(id, age, household);
  }

  void CareTags(int64_t person, int age, int household) {
    auto tag = [&](const char* code, const char* reason) {
      care_tags_.Add({person, std::string(code), "demo", now_, std::string(reason)});
    };
    if (age >= 60 && household == 1) tag("lives_alone", "入户走访核实");
    if (age >= 60 && household == 2 && Chance(0.5)) tag("elderly_couple", "入户走访核实");
    if (Chance(0.012)) tag("dibao", "民政低保名单");
    if (Chance(0.02)) tag("disabled", "残联名单");
    if (age >= 70 && Chance(0.01)) tag("entitled", "退役军人事务局名单");
    if (age >= 18 && age < 60 && Chance(0.01)) tag("unemployed", "就业服务站登记");
    if (age >= 14 && age <= 25 && Chance(0.002)) tag("key_youth", "综治名单");
    if (age >= 18 && Chance(0.0005)) tag("community_correction", "司法所通知");
  }

  store::Connection& conn_;
  const Vault& vault_;
  std::mt19937_64 rng_;
  std::string today_, now_;
  store::BulkInsert addresses_, organizations_, compounds_, buildings_, dwellings_, persons_, residencies_, care_tags_;
  int64_t address_id_ = 0, organization_id_ = 0, compound_id_ = 0, building_id_ = 0, dwelling_id_ = 0, person_id_ = 0;
  std::unordered_map<std::string, int> lanes_;
  std::unordered_map<std::string, int> sequences_;
};

}  // namespace

DemoCounts CreateDemoRegistry(store::Database& db, const Vault& vault, uint64_t seed, int64_t persons_target,
                              const std::function<void(int64_t, int64_t)>& progress) {
  DemoCounts counts;
  std::string today = BeijingDate(Clock::System().Now());
  store::WithWrite(db, [&](store::Connection& conn) -> Status {
    if (!conn.Query("SELECT 1 FROM compounds LIMIT 1").empty()) return Status(Code::kConflict, {});
    std::vector<Neighborhood> neighborhoods = LoadNeighborhoods(conn);
    if (neighborhoods.empty()) return Status::NotFound();
    Generator gen(conn, vault, seed, today);
    int64_t per = persons_target / static_cast<int64_t>(neighborhoods.size());
    for (size_t i = 0; i < neighborhoods.size(); ++i) {
      gen.Neighborhood(neighborhoods[i], per);
      if (progress) progress(static_cast<int64_t>(i + 1), static_cast<int64_t>(neighborhoods.size()));
    }
    gen.Flush();
    counts = gen.counts;
    return Status::Ok();
  });
  // Fresh statistics, so the planners pick the scope and parent indexes; on
  // PostgreSQL also the visibility map, so that lists and counts of a
  // territory are answered from the indexes without visiting the rows.
  db.Acquire()->ExecuteScript(db.dialect() == store::Dialect::kPostgres ? "VACUUM (ANALYZE)" : "ANALYZE");
  return counts;
}

}  // namespace shequ::people
