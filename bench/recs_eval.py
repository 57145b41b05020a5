"""Recommendations on any transactions CSV: RetailIQ's ranked lists against the baselines, on a time split; prints
one table per task (or JSON with --json).

    .venv/bin/python bench/recs_eval.py --csv FILE --customer COL --product COL --date COL \\
        [--quantity COL] [--category COL] [--name COL] [--price COL] [--peer COL] [--invoice COL] \\
        [--exclude-products A,B] (--split time --test-days N | --split last-basket) [--json]

--split time: train on everything before the last N days; the test is what each customer with history bought in
them. Task discover scores only products new to the customer (popularity, implicit_als, item_knn, retailiq);
buy_again only products bought before (frequency, retailiq).
--split last-basket: per customer with at least 3 baskets (one customer's lines on one day) the last basket is the
test, the one before validates, the rest trains. Task next_basket scores every product (personal_top, tifu_knn with
the published setting that validates best, retailiq).
Metrics at K = 5, 10, 20: precision, recall, NDCG, MAP, hit rate, coverage (share of the catalogue recommended to
anyone), and fit seconds. Lines without a customer, with a non-positive quantity or an invoice starting with C
(cancellations, with --invoice) are dropped first.

Online Retail (UCI, id 352), customers as shops, StockCode as products, Country as the peer group:

    .venv/bin/python bench/recs_eval.py --csv ../shared/data/online-retail/online_retail.csv.gz \\
        --customer CustomerID --product StockCode --date InvoiceDate --quantity Quantity --name Description \\
        --price UnitPrice --peer Country --invoice InvoiceNo \\
        --exclude-products POST,DOT,M,C2,D,S,B,CRUK,AMAZONFEE,BANK\\ CHARGES,PADS --split time --test-days 30
"""

import argparse
import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from recommendations.ml.collaborative import ImplicitALS, ItemKNN  # noqa: E402
from recommendations.ml.data import TrainingData  # noqa: E402
from recommendations.ml.evaluation import (  # noqa: E402
    best_tifu_preset,
    generator_lists,
    last_basket_split,
    score_lists,
    time_split,
    timed,
)
from recommendations.ml.holdout import label_days_for  # noqa: E402
from recommendations.ml.popularity import Popularity  # noqa: E402
from recommendations.ml.recommender import Recommender, RecommenderOptions  # noqa: E402
from recommendations.ml.repeat import PersonalFrequency, TifuKNN  # noqa: E402
from recommendations.ml.rules import BusinessRules  # noqa: E402

log = logging.getLogger("recs_eval")
K = 10
JSON_FIELDS = ("precision_at_10", "recall_at_10", "ndcg_at_10", "map_at_10", "coverage_at_10", "fit_seconds")
NO_DECAY = 1e9  # a half-life this long makes the personal frequency a plain count: the analyst's baseline
WHERE_TO_GET = (
    "Online Retail is the UCI data set 352 (https://archive.ics.uci.edu/dataset/352/online+retail); the project "
    "keeps it in ../shared/data/online-retail/ (see ../shared/data/README.md). Pass the file with --csv."
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", required=True, type=Path)
    parser.add_argument("--customer", required=True)
    parser.add_argument("--product", required=True)
    parser.add_argument("--date", required=True)
    parser.add_argument("--quantity")
    parser.add_argument("--category")
    parser.add_argument("--name", help="product name column, for the content generator and the reasons")
    parser.add_argument("--price", help="unit price column, for the content generator's price bands")
    parser.add_argument("--peer", help="customer attribute for the peer group (e.g. Country)")
    parser.add_argument("--invoice", help="invoice column; invoices starting with C (cancellations) are dropped")
    parser.add_argument("--exclude-products", default="", help="comma-separated product codes that are not products")
    parser.add_argument("--split", choices=("time", "last-basket"), required=True)
    parser.add_argument("--test-days", type=int)
    parser.add_argument("--json", action="store_true", help="print only the JSON scores")
    args = parser.parse_args(argv)
    if args.split == "time" and not args.test_days:
        parser.error("--split time needs --test-days")
    return args


def load(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Orders, products and customers as the engine reads them."""
    optional = [args.quantity, args.category, args.name, args.price, args.peer, args.invoice]
    columns = [args.customer, args.product, args.date, *filter(None, optional)]
    text = [c for c in (args.customer, args.product, args.invoice, args.category, args.name) if c]
    raw = pd.read_csv(args.csv, usecols=columns, dtype=dict.fromkeys(text, str))
    keep = raw[args.customer].notna() & raw[args.product].notna()
    if args.quantity:
        keep &= pd.to_numeric(raw[args.quantity], errors="coerce") > 0
    if args.invoice:
        keep &= ~raw[args.invoice].astype(str).str.upper().str.startswith("C")
    excluded = {code.strip() for code in args.exclude_products.split(",") if code.strip()}
    raw = raw[keep & ~raw[args.product].astype(str).str.strip().isin(excluded)]
    orders = pd.DataFrame(
        {
            "retailer_id": raw[args.customer].str.strip().str.removesuffix(".0").to_numpy(),
            "product_id": raw[args.product].astype(str).str.strip().to_numpy(),
            "date": pd.to_datetime(raw[args.date]).dt.normalize().to_numpy(),
            "quantity": pd.to_numeric(raw[args.quantity]).to_numpy() if args.quantity else 1.0,
        }
    )
    products = pd.DataFrame({"product_id": orders["product_id"]})
    if args.name:
        products["name"] = raw[args.name].fillna("").str.strip().to_numpy()
    if args.category:
        products["category_id"] = raw[args.category].to_numpy()
    if args.price:
        products["unit_price"] = pd.to_numeric(raw[args.price], errors="coerce").where(lambda p: p > 0).to_numpy()
    agg = {c: "last" for c in products.columns if c not in ("product_id", "unit_price")}
    products = products.groupby("product_id").agg({**agg, **({"unit_price": "median"} if args.price else {})})
    retailers = pd.DataFrame({"retailer_id": orders["retailer_id"]})
    if args.peer:
        retailers["city"] = raw[args.peer].astype(str).to_numpy()
    retailers = retailers.drop_duplicates("retailer_id", keep="last")
    log.info("%d lines, %d customers, %d products", len(orders), retailers.shape[0], products.shape[0])
    return orders, products.reset_index(), retailers


def evaluate_time(orders, products, retailers, test_days: int) -> dict:
    split = time_split(orders, test_days)
    data, build_seconds = timed(lambda: TrainingData.build(split.train, products, retailers))
    customers = sorted(set(split.discover) | set(split.buy_again))
    log.info("time split: %d test customers, %d products in training", len(customers), data.n_products)
    tasks: dict = {"discover": {"models": {}}, "buy_again": {"models": {}}}
    baselines = {
        "discover": {"popularity": Popularity(), "implicit_als": ImplicitALS(), "item_knn": ItemKNN()},
        "buy_again": {"frequency": PersonalFrequency(half_life_days=NO_DECAY)},
    }
    for task, models in baselines.items():
        truth = getattr(split, task)
        for name, generator in models.items():
            _, seconds = timed(lambda g=generator: g.fit(data))
            lists = generator_lists(generator, truth, k=20, data=data, exclude_bought=task == "discover")
            tasks[task]["models"][name] = score_lists(lists, truth, data.n_products, seconds + build_seconds)
            log.info("%s %s: ndcg@10 %.4f", task, name, tasks[task]["models"][name]["ndcg_at_10"])
    # The ranker's own label window, as training chooses it: the test's length, or the shortest longer one in which
    # shops took up new products (on the demo nobody tries a new product within 30 days).
    label_days = label_days_for(split.train, test_days)
    if label_days != test_days:
        log.info(
            "ranker labels over the last %d days of the training part: shorter windows hold no discovery", label_days
        )
    options = RecommenderOptions(label_days=label_days, lists=("discover", "buy_again"))
    model, seconds = timed(lambda: Recommender(options=options).fit(split.train, products, retailers))
    log.info("retailiq fitted in %.0f s: %s", seconds, model.training_)
    for task in ("discover", "buy_again"):
        truth = getattr(split, task)
        ranked = model.recommend(list(truth), kind=task, k=20, rules=BusinessRules(diversity=0.0))
        lists = ranked.groupby("retailer_id", sort=False)["product_id"].agg(list).to_dict()
        tasks[task]["models"]["retailiq"] = score_lists(lists, truth, data.n_products, seconds)
        log.info("%s retailiq: ndcg@10 %.4f", task, tasks[task]["models"]["retailiq"]["ndcg_at_10"])
    return tasks


def evaluate_last_basket(orders, products, retailers) -> dict:
    split = last_basket_split(orders)
    history = pd.concat([split.train, split.validation], ignore_index=True)
    data, build_seconds = timed(lambda: TrainingData.build(history, products, retailers))
    log.info("last-basket split: %d test customers", len(split.test))
    models: dict = {}
    personal = PersonalFrequency(half_life_days=NO_DECAY)
    _, seconds = timed(lambda: personal.fit(data))
    lists = generator_lists(personal, split.test, k=20, exclude_bought=None)
    models["personal_top"] = score_lists(lists, split.test, data.n_products, seconds + build_seconds)
    train_data = TrainingData.build(split.train, products, retailers)
    preset, recalls = best_tifu_preset(train_data, split.validation)
    log.info("TIFU-KNN validation recall@10 per published setting: %s; using %s", recalls, preset)
    tifu = TifuKNN(preset=preset)
    _, seconds = timed(lambda: tifu.fit(data))
    lists = generator_lists(tifu, split.test, k=20, exclude_bought=None)
    models["tifu_knn"] = score_lists(lists, split.test, data.n_products, seconds + build_seconds)
    models["tifu_knn"]["preset"] = preset
    options = RecommenderOptions(lists=("next_basket",))
    model, seconds = timed(
        lambda: Recommender(options=options).fit(split.train, products, retailers, holdout=split.validation)
    )
    ranked = model.recommend(list(split.test), kind="next_basket", k=20, rules=BusinessRules(diversity=0.0))
    lists = ranked.groupby("retailer_id", sort=False)["product_id"].agg(list).to_dict()
    models["retailiq"] = score_lists(lists, split.test, data.n_products, seconds)
    for name, scores in models.items():
        log.info("next_basket %s: recall@10 %.4f", name, scores["recall_at_10"])
    return {"next_basket": {"models": models}}


def print_tables(tasks: dict, command: str) -> None:
    print(command)
    for task, result in tasks.items():
        print(f"\n{task}")
        header = f"{'model':<14}" + "".join(f"{f'{m}@{k}':>10}" for k in (5, 10, 20) for m in ("R", "NDCG"))
        header += f"{'P@10':>8}{'MAP@10':>8}{'HR@10':>8}{'cov@10':>8}{'fit s':>8}"
        print(header)
        print("-" * len(header))
        for name, s in result["models"].items():
            line = f"{name:<14}" + "".join(
                f"{s[f'recall_at_{k}']:>10.4f}{s[f'ndcg_at_{k}']:>10.4f}" for k in (5, 10, 20)
            )
            line += f"{s['precision_at_10']:>8.4f}{s['map_at_10']:>8.4f}{s['hit_rate_at_10']:>8.4f}"
            line += f"{s['coverage_at_10']:>8.4f}{s['fit_seconds']:>8.1f}"
            print(line)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.json else logging.INFO, format="%(message)s", stream=sys.stderr)
    if not args.csv.exists():
        print(f"{args.csv} does not exist. {WHERE_TO_GET}", file=sys.stderr)
        return 1
    orders, products, retailers = load(args)
    if args.split == "time":
        tasks = evaluate_time(orders, products, retailers, args.test_days)
    else:
        tasks = evaluate_last_basket(orders, products, retailers)
    if args.json:
        report = {
            task: {"models": {n: {f: s[f] for f in JSON_FIELDS} for n, s in r["models"].items()}}
            for task, r in tasks.items()
        }
        print(json.dumps({"tasks": report}))
    else:
        print_tables(tasks, " ".join(["bench/recs_eval.py", *(argv if argv is not None else sys.argv[1:])]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
