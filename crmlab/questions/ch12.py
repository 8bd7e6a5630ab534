"""Chapter 12 — Le centre de relation client: questions, answers, mistakes.

The lesson prints the year's patterns, the forecast scores of an autumn test period,
the textbook Erlang C example (100 calls, 180 s, 14 agents), the agents needed per
interval, pooling on the busiest half-hour of the call log, the patience estimated on
the whole log and the yearly Erlang A comparison: the exercises ask the same skills on
what it does not print (Saturdays, one given half-hour, another Erlang example, a
stricter target, a summer test period, another half-hour and one call reason, November).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import contact_centre as cc
from ..exercises import Answer, Count, Number, Ratio, mistake, question
from . import table

INTERVAL_S = 1800
# 12-q2: one half-hour of the interval table
LOAD_SLOT = pd.Timestamp("2025-12-01 10:00")
# 12-q3 to 12-q5: another Erlang example
EX_CALLS, EX_AHT, EX_AGENTS, EX_TARGET = 120, 240, 19, 30
STRICT_TARGET, STRICT_SL, SHRINK = 15, 0.9, 0.35
# 12-q6: a half-hour of the call log
POOL_SLOT = pd.Timestamp("2025-12-01 14:00")
# 12-q7: a summer test period for the seasonal naive forecast
NAIVE_TRAIN_END, NAIVE_TEST_START, NAIVE_TEST_END = (pd.Timestamp("2025-06-07"), pd.Timestamp("2025-06-09"),
                                                      pd.Timestamp("2025-07-05"))
# 12-q8: one call reason
PATIENCE_REASON = "livraison"


def _calls() -> pd.DataFrame:
    return table("call_intervals")


def _log() -> pd.DataFrame:
    return table("call_log")


def _without(values: list, answer) -> list:
    """Listed mistakes must differ from the answer (counts may coincide on some data)."""
    return [m for m in values if m.value != answer]


@question("12-q1", Number(decimals=1),
          concept="le volume se planifie par demi-heure : la moyenne des appels présentés sur les demi-heures d'un "
                  "jour de la semaine dit combien d'appels attendre dans chacune.",
          hints=["Les appels présentés sont dans `calls_offered`, la date et l'heure de début dans `interval_start`.",
                 "`.dt.day_of_week` donne le jour de la semaine (0 pour le lundi) : quel numéro pour le samedi ?",
                 "Filtrez les demi-heures du samedi puis faites la moyenne de la colonne des appels présentés."])
def _saturday_mean() -> Answer:
    c = _calls()
    sat = c[c["interval_start"].dt.day_of_week == 5]
    per_day = sat.groupby(sat["interval_start"].dt.normalize())["calls_offered"].sum()
    return Answer(
        float(sat["calls_offered"].mean()),
        mistake("la moyenne de toutes les demi-heures, pas seulement celles du samedi", float(c["calls_offered"].mean())),
        mistake("les appels par samedi (la journée entière) au lieu de par demi-heure", float(per_day.mean())),
        mistake("les appels décrochés au lieu des appels présentés", float(sat["calls_answered"].mean())),
        mistake("le vendredi (4) au lieu du samedi (5)",
                float(c.loc[c["interval_start"].dt.day_of_week == 4, "calls_offered"].mean())),
    )


@question("12-q2", Number(decimals=2),
          concept="la charge, en erlangs, est le nombre d'agents qu'occuperaient les appels de l'intervalle : appels × "
                  "durée moyenne de traitement ÷ durée de l'intervalle, tout en secondes.",
          hints=["Sélectionnez la ligne dont `interval_start` vaut le 1er décembre 2025 à 10:00.",
                 "La charge se calcule avec les appels **présentés** et la durée moyenne de traitement "
                 "`avg_handle_time_s` de cette demi-heure.",
                 "Une demi-heure dure `INTERVAL_S` secondes : divisez par cette durée."])
def _load() -> Answer:
    c = _calls().set_index("interval_start").loc[LOAD_SLOT]
    offered, aht = float(c["calls_offered"]), float(c["avg_handle_time_s"])
    yearly_aht = float((_calls()["avg_handle_time_s"] * _calls()["calls_answered"]).sum() / _calls()["calls_answered"].sum())
    return Answer(
        offered * aht / INTERVAL_S,
        mistake("une heure (3 600 s) au lieu d'une demi-heure", offered * aht / 3600),
        mistake("la durée de traitement moyenne de l'année au lieu de celle de la demi-heure",
                offered * yearly_aht / INTERVAL_S),
    )


def _erlang(calls, aht, agents, target):
    return cc.erlang_c(calls=calls, interval_s=INTERVAL_S, aht_s=aht, agents=agents, target_s=target)


@question("12-q3", Ratio(decimals=3, percent_ok=True),
          concept="Erlang C : la probabilité d'attendre C, puis la part des appels décrochés dans le délai "
                  "1 − C × exp(−(N − A) × délai / DMT), où A est la charge en erlangs et N le nombre d'agents.",
          hints=["Commencez par la charge A en erlangs : appels × durée de traitement ÷ durée de l'intervalle.",
                 "La récurrence d'Erlang B (de k = 1 à N) puis la formule d'Erlang C donnent la probabilité "
                 "d'attendre ; la fonction `cc.erlang_c(...)` fait tout le calcul et rend un dictionnaire.",
                 "Le niveau de service est la clé `service_level` du résultat ; le délai cible est ici de 30 s."])
def _service_level() -> Answer:
    res = _erlang(EX_CALLS, EX_AHT, EX_AGENTS, EX_TARGET)
    a, n = res["traffic_erlangs"], EX_AGENTS
    return Answer(
        res["service_level"],
        mistake("la probabilité d'attendre au lieu du niveau de service", res["p_wait"]),
        mistake("la part des appels qui n'attendent pas du tout (délai de 0 s)", 1 - res["p_wait"]),
        mistake("le délai cible de 20 s au lieu de 30 s", _erlang(EX_CALLS, EX_AHT, EX_AGENTS, 20)["service_level"]),
        mistake("l'exponentielle divisée par la durée de l'intervalle au lieu de la durée de traitement",
                float(1 - res["p_wait"] * np.exp(-(n - a) * EX_TARGET / INTERVAL_S))),
    )


def _strict_need() -> int:
    return int(cc.agents_needed(calls=EX_CALLS, interval_s=INTERVAL_S, aht_s=EX_AHT, target_s=STRICT_TARGET,
                                service_level=STRICT_SL))


@question("12-q4", Count(),
          concept="le nombre d'agents nécessaire est le plus petit N, supérieur à la charge, dont le niveau de service "
                  "atteint l'objectif ; il ne croît pas proportionnellement au volume.",
          hints=["L'objectif a deux parties : la part visée (90 %) et le délai (15 s).",
                 "Essayez des nombres d'agents croissants avec `cc.erlang_c(...)`, ou laissez `cc.agents_needed(...)` "
                 "chercher pour vous.",
                 "Les arguments de `cc.agents_needed` s'appellent `calls`, `interval_s`, `aht_s`, `target_s` et "
                 "`service_level` (une part : 0,9 pour 90 %)."])
def _agents_strict() -> Answer:
    need = _strict_need()
    load = EX_CALLS * EX_AHT / INTERVAL_S
    usual = int(cc.agents_needed(calls=EX_CALLS, interval_s=INTERVAL_S, aht_s=EX_AHT, target_s=20, service_level=0.8))
    return Answer(need, *_without([
        mistake("l'objectif habituel de 80 % en 20 s au lieu de 90 % en 15 s", usual),
        mistake("le plus petit effectif stable (juste au-dessus de la charge), sans regarder le niveau de service",
                int(np.floor(load)) + 1),
        mistake("le dernier effectif qui n'atteint pas encore l'objectif", need - 1),
    ], need))


@question("12-q5", Count(),
          concept="pour avoir N agents au téléphone malgré une inefficience s (pauses, formation, absences), on en "
                  "planifie N ÷ (1 − s), arrondi à l'entier supérieur.",
          hints=["Partez du nombre d'agents au téléphone de la question 4.",
                 "Une inefficience de 35 % laisse 65 % du temps payé au téléphone : divisez, ne multipliez pas.",
                 "Arrondissez à l'entier supérieur (`np.ceil`) : un agent ne se coupe pas, et arrondir au plus proche "
                 "laisserait l'objectif manqué ; `cc.with_shrinkage(...)` fait les deux."])
def _rostered() -> Answer:
    need = _strict_need()
    ans = int(np.ceil(need / (1 - SHRINK) - 1e-9))
    return Answer(ans, *_without([
        mistake("N × (1 + 35 %) au lieu de N ÷ (1 − 35 %)", int(np.ceil(need * (1 + SHRINK) - 1e-9))),
        mistake("un arrondi à l'entier inférieur", int(np.floor(need / (1 - SHRINK)))),
        mistake("les agents au téléphone, sans l'inefficience", need),
    ], ans))


def _pool_numbers(weighted: bool = True, slot_aht: bool = False) -> tuple[int, int]:
    log = _log()
    slot = log["arrival_datetime"].dt.floor(f"{INTERVAL_S}s")
    peak = log[slot == POOL_SLOT]
    source = peak if slot_aht else log
    aht = source[~source["abandoned"]].groupby("reason", observed=True)["handle_time_s"].mean()
    counts = peak.groupby("reason", observed=True).size()
    aht = aht.reindex(counts.index)
    separate = int(cc.agents_needed(calls=counts, interval_s=INTERVAL_S, aht_s=aht).sum())
    pooled_aht = float((counts * aht).sum() / counts.sum()) if weighted else float(aht.mean())
    pooled = int(cc.agents_needed(calls=int(counts.sum()), interval_s=INTERVAL_S, aht_s=pooled_aht))
    return separate, pooled


@question("12-q6", Ratio(decimals=3, percent_ok=True),
          concept="mutualiser : une grande file commune a besoin de moins d'agents que plusieurs petites files "
                  "tenues au même niveau de service (l'économie d'échelle des centres d'appels).",
          hints=["Dans `log`, ramenez chaque `arrival_datetime` au début de sa demi-heure (`.dt.floor(...)` avec "
                 "`f\"{INTERVAL_S}s\"`) et gardez la demi-heure demandée.",
                 "Pour chaque motif (`reason`) : le nombre d'appels de cette demi-heure, et la durée moyenne de "
                 "traitement des appels décrochés de tout le journal ; `cc.agents_needed` accepte des séries.",
                 "L'équipe commune reçoit tous les appels, avec une durée moyenne pondérée par le nombre d'appels de "
                 "chaque motif ; l'économie (équipes séparées − équipe commune) se rapporte à l'effectif des équipes "
                 "séparées."])
def _pooling_saving() -> Answer:
    separate, pooled = _pool_numbers()
    _, pooled_simple = _pool_numbers(weighted=False)
    sep_slot, pooled_slot = _pool_numbers(slot_aht=True)
    ans = (separate - pooled) / separate
    return Answer(ans, *[m for m in [
        mistake("l'économie rapportée à l'équipe commune au lieu des équipes séparées", (separate - pooled) / pooled),
        mistake("la part de l'équipe commune dans l'effectif des équipes séparées, au lieu de l'économie",
                pooled / separate),
        mistake("une durée moyenne non pondérée par les appels pour l'équipe commune",
                (separate - pooled_simple) / separate),
        mistake("les durées de traitement de cette seule demi-heure au lieu de tout le journal",
                (sep_slot - pooled_slot) / sep_slot),
    ] if abs(m.value - ans) > 0.002])


@question("12-q7", Ratio(decimals=3, percent_ok=True),
          concept="le WAPE rapporte la somme des erreurs absolues à la somme des volumes réels de la période de test : "
                  "Σ |réel − prévu| ÷ Σ réel.",
          hints=["La prévision naïve saisonnière d'une demi-heure de test est la valeur de la même demi-heure (même "
                 "jour de la semaine, même heure) dans la dernière semaine d'apprentissage (du 2 au 7 juin).",
                 "Une jointure sur le jour de la semaine (`.dt.day_of_week`) et l'heure (`.dt.strftime('%H:%M')`) "
                 "associe chaque demi-heure de test à sa prévision.",
                 "Sommez les écarts absolus (`.abs()`) et divisez par la somme des appels présentés de la période de "
                 "test (pas par la somme des prévisions)."])
def _naive_wape() -> Answer:
    c = _calls()
    date = c["interval_start"].dt.normalize()
    key = [c["interval_start"].dt.day_of_week.rename("wd"), c["interval_start"].dt.strftime("%H:%M").rename("slot")]
    frame = pd.DataFrame({"y": c["calls_offered"], "wd": key[0], "slot": key[1], "date": date})
    last = frame[(frame["date"] > NAIVE_TRAIN_END - pd.Timedelta(days=7)) & (frame["date"] <= NAIVE_TRAIN_END)]
    test = frame[(frame["date"] >= NAIVE_TEST_START) & (frame["date"] <= NAIVE_TEST_END)]
    fc = test.join(last.set_index(["wd", "slot"])["y"].rename("fc"), on=["wd", "slot"])
    err = (fc["y"] - fc["fc"]).abs()
    return Answer(
        float(err.sum() / fc["y"].sum()),
        mistake("la somme des erreurs divisée par la somme des prévisions au lieu des volumes réels",
                float(err.sum() / fc["fc"].sum())),
        mistake("la moyenne des erreurs relatives de chaque demi-heure (un MAPE) au lieu du WAPE",
                float((err / fc["y"]).mean())),
        mistake("le biais (prévu ÷ réel − 1) au lieu de l'erreur absolue", float(fc["fc"].sum() / fc["y"].sum() - 1)),
    )


def _patience(log: pd.DataFrame) -> float:
    return float(log["wait_s"].sum() / log["abandoned"].sum())


@question("12-q8", Number(decimals=0),
          concept="pour une patience exponentielle, l'estimateur du maximum de vraisemblance de la patience moyenne est "
                  "le temps total d'attente de **tous** les appelants divisé par le nombre d'abandons (les appels "
                  "décrochés sont des observations censurées).",
          hints=["Gardez les appels du motif demandé dans `log` (colonne `reason`).",
                 "Un appel décroché dit seulement que la patience de l'appelant dépassait son attente : il compte "
                 "dans le temps total d'attente, pas dans les abandons.",
                 "Divisez la somme de `wait_s` de ces appels par leur nombre d'abandons (`abandoned`)."])
def _patience_reason() -> Answer:
    log = _log()
    sub = log[log["reason"] == PATIENCE_REASON]
    ab = sub["abandoned"]
    return Answer(
        _patience(sub),
        mistake("l'attente moyenne des seuls appelants qui ont abandonné", float(sub.loc[ab, "wait_s"].mean())),
        mistake("l'attente moyenne de tous les appelants", float(sub["wait_s"].mean())),
        mistake("la patience de tous les motifs d'appel, pas du seul motif « livraison »", _patience(log)),
        mistake("une patience en minutes, la question demande des secondes", _patience(sub) / 60),
    )


@question("12-q9", Ratio(decimals=3, percent_ok=True),
          concept="Erlang A donne, pour chaque demi-heure, la probabilité qu'un appelant abandonne ; le taux du mois "
                  "est la moyenne de ces probabilités pondérée par les appels présentés.",
          hints=["Gardez les demi-heures de novembre 2025 de `calls` ; la patience est celle de tout le journal "
                 "(temps total d'attente ÷ abandons, comme dans le cours).",
                 "`cc.erlang_a(...)` prend des colonnes : appels présentés, durée de traitement, agents planifiés, et "
                 "la patience `patience_s` ; sa colonne `p_abandon` est la probabilité d'abandon de chaque demi-heure.",
                 "Pondérez par `calls_offered` : une demi-heure de 100 appels compte plus qu'une de 10."])
def _november_abandon() -> Answer:
    c = _calls()
    nov = c[(c["interval_start"].dt.month == 11) & (c["interval_start"].dt.year == 2025)]
    log = _log()

    def rate(patience: float, weighted: bool = True) -> float:
        res = cc.erlang_a(calls=nov["calls_offered"], interval_s=INTERVAL_S, aht_s=nov["avg_handle_time_s"],
                          agents=nov["agents_scheduled"], target_s=20, patience_s=patience)
        if weighted:
            return float((res["p_abandon"] * nov["calls_offered"]).sum() / nov["calls_offered"].sum())
        return float(res["p_abandon"].mean())

    patience = _patience(log)
    return Answer(
        rate(patience),
        mistake("la moyenne simple des demi-heures, non pondérée par les appels", rate(patience, weighted=False)),
        mistake("le taux d'abandon observé au lieu de celui que prédit Erlang A",
                float(nov["calls_abandoned"].sum() / nov["calls_offered"].sum())),
        mistake("la patience estimée par l'attente moyenne des seuls abandonnistes",
                rate(float(log.loc[log["abandoned"], "wait_s"].mean()))),
    )
