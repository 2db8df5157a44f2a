"""Calls on organizations, functions, data managers, data samples and datasets.

Every method raises ``OrchestratorError`` (``podium.client.errors``) on refusal. Writes may be retried
(``RetrySettings.retry_writes``): see ``is_already_done`` for a refusal that means "already there".
"""

from collections.abc import Iterator, Sequence

from podium.api.generated import (
    common_pb2,
    datamanager_pb2,
    datasample_pb2,
    dataset_pb2,
    function_pb2,
    organization_pb2,
)
from podium.client.base import DEFAULT_PAGE_SIZE, CallsBase, enum_value
from podium.domain.kinds import FunctionAction


class AssetCalls(CallsBase):
    # --- OrganizationService

    def register_organization(self, address: str = "") -> organization_pb2.Organization:
        """Register the calling organization in the channel. ``AlreadyExists`` when it already is
        (``is_already_done(error)`` is then True)."""
        request = organization_pb2.RegisterOrganizationParam(address=address)
        stub = self._stubs.organizations
        return self._write(
            stub.RegisterOrganization,
            request,
            "OrganizationService/RegisterOrganization",
            organization_pb2.Organization,
        )

    def get_all_organizations(self) -> list[organization_pb2.Organization]:
        """Every organization registered in the channel (not paginated, no defined order)."""
        stub = self._stubs.organizations
        response = self._read(
            stub.GetAllOrganizations,
            organization_pb2.GetAllOrganizationsParam(),
            "OrganizationService/GetAllOrganizations",
            organization_pb2.GetAllOrganizationsResponse,
        )
        return list(response.organizations)

    # --- FunctionService

    def register_function(self, function: function_pb2.NewFunction) -> function_pb2.Function:
        """Register a function (status WAITING, owner = caller)."""
        return self._write(
            self._stubs.functions.RegisterFunction,
            function,
            "FunctionService/RegisterFunction",
            function_pb2.Function,
        )

    def get_function(self, key: str) -> function_pb2.Function:
        """The function ``key``; ``NotFound`` when absent."""
        request = function_pb2.GetFunctionParam(key=key)
        return self._read(
            self._stubs.functions.GetFunction, request, "FunctionService/GetFunction", function_pb2.Function
        )

    def query_functions(
        self, *, compute_plan_key: str = "", page_size: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[function_pb2.Function]:
        """Every function (used by a task of ``compute_plan_key`` when given), oldest first."""
        query_filter = function_pb2.FunctionQueryFilter(compute_plan_key=compute_plan_key)
        return self._paginate(
            self._stubs.functions.QueryFunctions,
            lambda token: function_pb2.QueryFunctionsParam(
                page_token=token, page_size=page_size, filter=query_filter
            ),
            lambda response: response.Functions,
            "FunctionService/QueryFunctions",
        )

    def update_function(self, key: str, name: str, image: common_pb2.Addressable | None = None) -> None:
        """Rename the function; also replace its image when ``image`` has a checksum. Owner only."""
        request = function_pb2.UpdateFunctionParam(key=key, name=name, image=image)
        self._write(
            self._stubs.functions.UpdateFunction,
            request,
            "FunctionService/UpdateFunction",
            function_pb2.UpdateFunctionResponse,
        )

    def apply_function_action(self, key: str, action: FunctionAction | int) -> None:
        """Move the function through its state machine; ``InvalidTransition`` when refused."""
        request = function_pb2.ApplyFunctionActionParam(
            function_key=key, action=enum_value(function_pb2.FunctionAction, action)
        )
        stub = self._stubs.functions
        self._write(
            stub.ApplyFunctionAction,
            request,
            "FunctionService/ApplyFunctionAction",
            function_pb2.ApplyFunctionActionResponse,
        )

    # --- DataManagerService

    def register_data_manager(
        self, data_manager: datamanager_pb2.NewDataManager
    ) -> datamanager_pb2.DataManager:
        """Register a data manager (owner = caller)."""
        stub = self._stubs.data_managers
        return self._write(
            stub.RegisterDataManager,
            data_manager,
            "DataManagerService/RegisterDataManager",
            datamanager_pb2.DataManager,
        )

    def get_data_manager(self, key: str) -> datamanager_pb2.DataManager:
        """The data manager ``key``; ``NotFound`` when absent."""
        request = datamanager_pb2.GetDataManagerParam(key=key)
        return self._read(
            self._stubs.data_managers.GetDataManager,
            request,
            "DataManagerService/GetDataManager",
            datamanager_pb2.DataManager,
        )

    def query_data_managers(
        self, *, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[datamanager_pb2.DataManager]:
        """Every data manager of the channel, oldest first."""
        return self._paginate(
            self._stubs.data_managers.QueryDataManagers,
            lambda token: datamanager_pb2.QueryDataManagersParam(page_token=token, page_size=page_size),
            lambda response: response.data_managers,
            "DataManagerService/QueryDataManagers",
        )

    def update_data_manager(self, key: str, name: str) -> None:
        """Rename the data manager. Owner only."""
        request = datamanager_pb2.UpdateDataManagerParam(key=key, name=name)
        stub = self._stubs.data_managers
        self._write(
            stub.UpdateDataManager,
            request,
            "DataManagerService/UpdateDataManager",
            datamanager_pb2.UpdateDataManagerResponse,
        )

    # --- DataSampleService

    def register_data_samples(
        self, samples: Sequence[datasample_pb2.NewDataSample]
    ) -> list[datasample_pb2.DataSample]:
        """Register ``samples`` all or nothing; the registered samples in request order."""
        request = datasample_pb2.RegisterDataSamplesParam(samples=samples)
        stub = self._stubs.data_samples
        response = self._write(
            stub.RegisterDataSamples,
            request,
            "DataSampleService/RegisterDataSamples",
            datasample_pb2.RegisterDataSamplesResponse,
        )
        return list(response.data_samples)

    def update_data_samples(self, keys: Sequence[str], data_manager_keys: Sequence[str]) -> None:
        """Link the samples ``keys`` to ``data_manager_keys`` too (appended, never replaced)."""
        request = datasample_pb2.UpdateDataSamplesParam(keys=keys, data_manager_keys=data_manager_keys)
        stub = self._stubs.data_samples
        self._write(
            stub.UpdateDataSamples,
            request,
            "DataSampleService/UpdateDataSamples",
            datasample_pb2.UpdateDataSamplesResponse,
        )

    def query_data_samples(
        self, *, keys: Sequence[str] = (), page_size: int = DEFAULT_PAGE_SIZE
    ) -> Iterator[datasample_pb2.DataSample]:
        """Every data sample (only ``keys`` when given), oldest first."""
        query_filter = datasample_pb2.DataSampleQueryFilter(keys=keys)
        return self._paginate(
            self._stubs.data_samples.QueryDataSamples,
            lambda token: datasample_pb2.QueryDataSamplesParam(
                page_token=token, page_size=page_size, filter=query_filter
            ),
            lambda response: response.data_samples,
            "DataSampleService/QueryDataSamples",
        )

    def get_data_sample(self, key: str) -> datasample_pb2.DataSample:
        """The data sample ``key``; ``NotFound`` when absent."""
        request = datasample_pb2.GetDataSampleParam(key=key)
        return self._read(
            self._stubs.data_samples.GetDataSample,
            request,
            "DataSampleService/GetDataSample",
            datasample_pb2.DataSample,
        )

    # --- DatasetService

    def get_dataset(self, data_manager_key: str) -> dataset_pb2.Dataset:
        """The data manager ``data_manager_key`` with the keys of its samples."""
        request = dataset_pb2.GetDatasetParam(key=data_manager_key)
        return self._read(
            self._stubs.datasets.GetDataset, request, "DatasetService/GetDataset", dataset_pb2.Dataset
        )
