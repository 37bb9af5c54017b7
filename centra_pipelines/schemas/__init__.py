"""Data contracts: one pandera DataFrameModel per warehouse table (plain Python)."""

from centra_pipelines.schemas.contract import ContractError, ContractOutcome, apply_contract

__all__ = ["ContractError", "ContractOutcome", "apply_contract"]
