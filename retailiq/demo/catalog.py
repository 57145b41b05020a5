"""The demo marketplace's parties and catalog: vendors, brands, a two-level category
tree, products, cities, retailers, sales reps and warehouses. Pure NumPy/pandas."""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from faker import Faker

from .sizes import DemoSize

# department -> category -> (product nouns, base unit price, unit volume, pack sizes)
DEPARTMENTS: dict[str, dict[str, tuple[list[str], float, float, list[int]]]] = {
    "Staples": {
        "Rice & grains": (
            ["Basmati Rice 5 kg", "Sona Masoori Rice 10 kg", "Wheat Atta 5 kg", "Poha 1 kg"],
            420,
            5.5,
            [1, 4],
        ),
        "Pulses": (["Toor Dal 1 kg", "Moong Dal 1 kg", "Chana Dal 1 kg", "Masoor Dal 1 kg"], 150, 1.1, [1, 10]),
        "Edible oil": (["Sunflower Oil 1 L", "Mustard Oil 1 L", "Groundnut Oil 1 L"], 185, 1.1, [1, 12]),
        "Spices": (["Turmeric 200 g", "Chilli Powder 200 g", "Garam Masala 100 g", "Cumin 100 g"], 70, 0.25, [1, 24]),
    },
    "Beverages": {
        "Tea & coffee": (["Assam Tea 500 g", "Masala Chai 250 g", "Filter Coffee 500 g"], 260, 0.6, [1, 12]),
        "Soft drinks": (["Cola 750 ml", "Lemon Soda 600 ml", "Orange Fizz 750 ml"], 40, 0.8, [6, 24]),
        "Juices": (["Mango Juice 1 L", "Mixed Fruit 1 L", "Guava Nectar 1 L"], 110, 1.1, [1, 12]),
    },
    "Snacks": {
        "Biscuits": (
            ["Glucose Biscuits 250 g", "Cream Biscuits 150 g", "Marie 300 g", "Cookies 200 g"],
            35,
            0.35,
            [12, 24],
        ),
        "Namkeen": (["Bhujia 400 g", "Mixture 200 g", "Chips 90 g"], 55, 0.5, [12, 24]),
        "Chocolates": (["Milk Chocolate 50 g", "Wafer Bar 40 g", "Gift Pack 200 g"], 60, 0.1, [12, 24]),
    },
    "Personal care": {
        "Soap & body wash": (["Bath Soap 4x100 g", "Body Wash 250 ml", "Handwash 200 ml"], 140, 0.45, [1, 12]),
        "Hair care": (["Shampoo 340 ml", "Hair Oil 200 ml", "Conditioner 180 ml"], 210, 0.4, [1, 12]),
        "Oral care": (["Toothpaste 150 g", "Toothbrush 3-pack", "Mouthwash 250 ml"], 95, 0.2, [1, 24]),
    },
    "Household": {
        "Detergents": (["Detergent Powder 1 kg", "Liquid Detergent 1 L", "Detergent Bar 4-pack"], 180, 1.1, [1, 10]),
        "Cleaners": (["Floor Cleaner 1 L", "Dishwash Gel 500 ml", "Toilet Cleaner 500 ml"], 150, 0.9, [1, 12]),
        "Kitchen supplies": (["Aluminium Foil 9 m", "Garbage Bags 30", "Scrub Pads 3"], 90, 0.3, [1, 12]),
    },
    "Health": {
        "OTC medicines": (
            ["Paracetamol 10 tabs", "Antacid 20 tabs", "Cough Syrup 100 ml", "Balm 25 g"],
            45,
            0.05,
            [10, 50],
        ),
        "Supplements": (["Multivitamin 30 tabs", "Protein Powder 500 g", "ORS 10 sachets"], 320, 0.3, [1, 10]),
        "First aid": (["Bandages 20", "Antiseptic 100 ml", "Cotton 100 g"], 60, 0.15, [1, 20]),
    },
    "Dairy": {
        "Milk products": (["Paneer 200 g", "Curd 400 g", "Milk Powder 500 g"], 95, 0.45, [1, 12]),
        "Ghee & butter": (["Ghee 1 L", "Butter 500 g", "Cheese Slices 200 g"], 310, 1.0, [1, 12]),
    },
}

# Yearly seasonality: (amplitude, month of peak); festival sensitivity; shelf life range (days)
DEPARTMENT_PROFILE = {
    "Staples": (0.05, 11, 0.6, (180, 365)),
    "Beverages": (0.35, 5, 0.3, (180, 365)),
    "Snacks": (0.12, 10, 1.0, (90, 270)),
    "Personal care": (0.10, 4, 0.4, (540, 900)),
    "Household": (0.08, 10, 0.5, (540, 900)),
    "Health": (0.20, 8, 0.1, (540, 1095)),
    "Dairy": (0.10, 12, 0.8, (10, 180)),
}

SEGMENTS = ["kirana", "supermarket", "pharmacy", "convenience", "horeca", "wholesale"]
SEGMENT_SHARE = [0.48, 0.14, 0.14, 0.12, 0.07, 0.05]
SEGMENT_BASKET = {"kirana": 22, "supermarket": 55, "pharmacy": 16, "convenience": 18, "horeca": 14, "wholesale": 45}
SEGMENT_SIZE = {"kirana": 1.0, "supermarket": 3.0, "pharmacy": 0.9, "convenience": 0.8, "horeca": 1.6, "wholesale": 6.0}
SEGMENT_SUFFIX = {
    "kirana": ["Kirana Store", "General Store", "Provision Store"],
    "supermarket": ["Supermart", "Fresh Mart", "Hypermarket"],
    "pharmacy": ["Medicals", "Pharmacy", "Chemists"],
    "convenience": ["Daily Needs", "Express", "24x7"],
    "horeca": ["Restaurant", "Caterers", "Café"],
    "wholesale": ["Traders", "Wholesale", "Distributors"],
}
SEGMENT_AFFINITY = {
    "kirana": {
        "Staples": 3,
        "Snacks": 2,
        "Beverages": 2,
        "Personal care": 1.5,
        "Household": 1.5,
        "Dairy": 1.5,
        "Health": 0.3,
    },
    "supermarket": {
        "Staples": 2,
        "Snacks": 2,
        "Beverages": 2,
        "Personal care": 2,
        "Household": 2,
        "Dairy": 2,
        "Health": 1,
    },
    "pharmacy": {
        "Staples": 0.05,
        "Snacks": 0.3,
        "Beverages": 0.3,
        "Personal care": 1.5,
        "Household": 0.2,
        "Dairy": 0.05,
        "Health": 6,
    },
    "convenience": {
        "Staples": 0.8,
        "Snacks": 3,
        "Beverages": 3,
        "Personal care": 1,
        "Household": 0.7,
        "Dairy": 1.2,
        "Health": 0.4,
    },
    "horeca": {
        "Staples": 3,
        "Snacks": 0.5,
        "Beverages": 2,
        "Personal care": 0.1,
        "Household": 0.8,
        "Dairy": 2.5,
        "Health": 0.05,
    },
    "wholesale": {
        "Staples": 3,
        "Snacks": 1.5,
        "Beverages": 1.5,
        "Personal care": 1,
        "Household": 1,
        "Dairy": 0.5,
        "Health": 0.5,
    },
}
CITIES = [
    ("Mumbai", "West"),
    ("Delhi", "North"),
    ("Bengaluru", "South"),
    ("Kolkata", "East"),
    ("Pune", "West"),
    ("Jaipur", "North"),
    ("Chennai", "South"),
    ("Hyderabad", "South"),
]
BRAND_HEADS = [
    "Sun",
    "Gold",
    "Green",
    "Royal",
    "Pure",
    "Fresh",
    "Star",
    "Shree",
    "Amrit",
    "Nova",
    "Blue",
    "Desi",
    "Sagar",
    "Kesar",
    "Tulsi",
    "Mega",
    "Prime",
    "Surya",
]
BRAND_TAILS = ["rise", "leaf", "crest", "valley", "field", "mark", "way", "veda", "nest", "bloom", "harvest", "line"]


@dataclass
class Catalog:
    vendors: pd.DataFrame
    categories: pd.DataFrame
    brands: pd.DataFrame
    products: pd.DataFrame
    retailers: pd.DataFrame
    reps: pd.DataFrame
    warehouses: pd.DataFrame


def _categories() -> pd.DataFrame:
    rows, next_id = [], 1
    for department, categories in DEPARTMENTS.items():
        parent_id = next_id
        rows.append({"id": parent_id, "name": department, "parent_id": None, "department": department})
        next_id += 1
        for category in categories:
            rows.append({"id": next_id, "name": category, "parent_id": parent_id, "department": department})
            next_id += 1
    frame = pd.DataFrame(rows)
    frame["slug"] = frame["name"].str.lower().str.replace(r"[^a-z0-9]+", "-", regex=True).str.strip("-")
    return frame


def _vendors(size: DemoSize, rng: np.random.Generator, fake: Faker) -> pd.DataFrame:
    departments = list(DEPARTMENTS)
    rows = []
    for i in range(size.vendors):
        # Every department has a vendor; some vendors carry a second department.
        covered = [d for j, d in enumerate(departments) if j % size.vendors == i] + [departments[i % len(departments)]]
        if rng.random() < 0.4:
            covered.append(departments[rng.integers(len(departments))])
        name = fake.unique.company()
        rows.append(
            {
                "id": i + 1,
                "name": name,
                "code": f"v{i + 1:02d}-" + "".join(c for c in name.lower() if c.isalnum())[:20],
                "kind": "manufacturer" if rng.random() < 0.7 else "distributor",
                "city": CITIES[i % len(CITIES)][0],
                "departments": sorted(set(covered)),
                "lead_time_days": float(rng.uniform(3, 12)),
            }
        )
    return pd.DataFrame(rows)


def _brands(vendors: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    names = [h + t for h in BRAND_HEADS for t in BRAND_TAILS]
    order = rng.permutation(len(names))
    rows, k = [], 0
    for vendor in vendors.itertuples():
        for _ in range(int(rng.integers(2, 4))):
            rows.append(
                {
                    "id": k + 1,
                    "name": names[order[k] % len(names)] + ("" if k < len(names) else f" {k}"),
                    "vendor_id": vendor.id,
                }
            )
            k += 1
    return pd.DataFrame(rows)


def _products(
    size: DemoSize,
    start: dt.date,
    vendors: pd.DataFrame,
    brands: pd.DataFrame,
    categories: pd.DataFrame,
    rng: np.random.Generator,
) -> pd.DataFrame:
    leaf = categories[categories["parent_id"].notna()]
    department_vendors = {
        d: vendors[vendors["departments"].map(lambda ds, d=d: d in ds)]["id"].to_numpy() for d in DEPARTMENTS
    }
    rows = []
    for i in range(size.products):
        category = leaf.iloc[i % len(leaf)] if i < len(leaf) else leaf.iloc[rng.integers(len(leaf))]
        department = category["department"]
        nouns, base_price, volume, packs = DEPARTMENTS[department][category["name"]]
        vendor_id = int(rng.choice(department_vendors[department]))
        vendor_brands = brands[brands["vendor_id"] == vendor_id]
        brand = vendor_brands.iloc[rng.integers(len(vendor_brands))]
        noun = nouns[rng.integers(len(nouns))]
        shelf_low, shelf_high = DEPARTMENT_PROFILE[department][3]
        launched_within = rng.random() < 0.12
        launch_offset = rng.uniform(0.15, 0.8) * size.days if launched_within else -rng.uniform(60, 2000)
        rows.append(
            {
                "id": i + 1,
                "vendor_id": vendor_id,
                "brand_id": int(brand["id"]),
                "category_id": int(category["id"]),
                "department": department,
                "sku": f"{vendor_id:02d}-{i + 1:05d}",
                "name": f"{brand['name']} {noun}",
                "unit_price": round(base_price * float(rng.lognormal(0, 0.25)), 2),
                "pack_size": int(rng.choice(packs)),
                "unit_volume": round(volume * float(rng.uniform(0.85, 1.15)), 4),
                "shelf_life_days": int(rng.integers(shelf_low, shelf_high + 1)),
                "launched_on": start + dt.timedelta(days=int(launch_offset)),
            }
        )
    products = pd.DataFrame(rows)
    # Zipf-like popularity gives a few best sellers and a long, intermittent tail.
    ranks = rng.permutation(len(products)) + 1
    products["popularity"] = 1.0 / ranks**0.9
    products["is_active"] = rng.random(len(products)) > 0.03
    return products


def _retailers(size: DemoSize, start: dt.date, rng: np.random.Generator, fake: Faker) -> pd.DataFrame:
    cities = CITIES[: size.cities]
    city_weights = np.linspace(1.6, 0.7, len(cities))
    city_idx = rng.choice(len(cities), size=size.retailers, p=city_weights / city_weights.sum())
    segments = rng.choice(SEGMENTS, size=size.retailers, p=SEGMENT_SHARE)
    rows = []
    for i in range(size.retailers):
        segment = str(segments[i])
        city, region = cities[city_idx[i]]
        joined_late = rng.random() < 0.15
        onboarded = (
            start + dt.timedelta(days=int(rng.uniform(0.05, 0.85) * size.days))
            if joined_late
            else start - dt.timedelta(days=int(rng.uniform(30, 900)))
        )
        scale = SEGMENT_SIZE[segment] * float(rng.lognormal(0, 0.45))
        rows.append(
            {
                "id": i + 1,
                "code": f"R{i + 1:05d}",
                "segment": segment,
                "city": city,
                "region": region,
                "country": "India",
                "name": f"{fake.last_name()} {SEGMENT_SUFFIX[segment][rng.integers(3)]}",
                "onboarded_on": onboarded,
                "size_factor": scale,
                "credit_limit": float(round(scale * 50_000, -3)),
            }
        )
    return _with_contacts(pd.DataFrame(rows))


def _with_contacts(retailers: pd.DataFrame) -> pd.DataFrame:
    """Who a rep calls at each shop. A Faker of its own, so adding contacts changes no other generated value."""
    contacts = Faker("en_IN")
    contacts.seed_instance(len(retailers))
    names = [contacts.name() for _ in range(len(retailers))]
    return retailers.assign(
        contact_name=names,
        contact_phone=[contacts.numerify("+91 9#### #####") for _ in range(len(retailers))],
        contact_email=[
            f"{''.join(ch for ch in name.split()[-1].lower() if ch.isalnum()) or 'owner'}@{code.lower()}.shop.example"
            for name, code in zip(names, retailers["code"], strict=True)
        ],
    )


def _warehouses(size: DemoSize, rng: np.random.Generator) -> pd.DataFrame:
    cities = CITIES[: max(size.warehouses, 1)]
    return pd.DataFrame(
        [
            {
                "id": i + 1,
                "code": f"wh-{city.lower()}",
                "name": f"{city} Fulfilment Centre",
                "city": city,
                "region": region,
                "capacity_volume": float(round(rng.uniform(40_000, 120_000) * size.products / 400, -2)),
            }
            for i, (city, region) in enumerate(cities[: size.warehouses])
        ]
    )


def _reps(size: DemoSize, fake: Faker) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "index": i,
                "username": "rep" if i == 0 else f"rep{i + 1}",
                "first_name": fake.first_name(),
                "last_name": fake.last_name(),
            }
            for i in range(size.reps)
        ]
    )


def assign_reps(retailers: pd.DataFrame, reps: pd.DataFrame) -> np.ndarray:
    """Territories: retailers sorted by city, cut into equal runs, one run per rep."""
    order = retailers.sort_values(["city", "id"]).index.to_numpy()
    rep_of = np.empty(len(retailers), dtype=int)
    rep_of[order] = np.arange(len(order)) * len(reps) // max(len(order), 1)
    return rep_of


def warehouse_for(retailers: pd.DataFrame, warehouses: pd.DataFrame) -> np.ndarray:
    """Each retailer ships from the warehouse in its city, else the first in its region, else the first."""
    by_city = dict(zip(warehouses["city"], warehouses["id"], strict=True))
    by_region = warehouses.drop_duplicates("region").set_index("region")["id"].to_dict()
    fallback = int(warehouses["id"].iloc[0])
    return np.array(
        [
            by_city.get(c, by_region.get(r, fallback))
            for c, r in zip(retailers["city"], retailers["region"], strict=True)
        ]
    )


def build_catalog(size: DemoSize, start: dt.date, rng: np.random.Generator, fake: Faker) -> Catalog:
    categories = _categories()
    vendors = _vendors(size, rng, fake)
    brands = _brands(vendors, rng)
    products = _products(size, start, vendors, brands, categories, rng)
    retailers = _retailers(size, start, rng, fake)
    warehouses = _warehouses(size, rng)
    reps = _reps(size, fake)
    retailers["rep_index"] = assign_reps(retailers, reps)
    retailers["warehouse_id"] = warehouse_for(retailers, warehouses)
    return Catalog(vendors, categories, brands, products, retailers, reps, warehouses)
