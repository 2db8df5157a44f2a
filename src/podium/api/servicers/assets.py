"""Servicers of organizations, functions, data managers, data samples and datasets."""

from typing import Any

from podium.api import convert
from podium.api.generated import (
    datamanager_pb2,
    datamanager_pb2_grpc,
    datasample_pb2,
    datasample_pb2_grpc,
    dataset_pb2,
    dataset_pb2_grpc,
    function_pb2,
    function_pb2_grpc,
    organization_pb2,
    organization_pb2_grpc,
)
from podium.api.servicers.base import Servicer

# Method names are the RPC names of the contract.
# ruff: noqa: N802


class OrganizationServicer(Servicer, organization_pb2_grpc.OrganizationServiceServicer):
    def RegisterOrganization(
        self, request: organization_pb2.RegisterOrganizationParam, context: Any
    ) -> organization_pb2.Organization:
        command = convert.register_organization(request)
        return convert.organization_message(self.orchestrator.register_organization(self.caller(), command))

    def GetAllOrganizations(
        self, request: organization_pb2.GetAllOrganizationsParam, context: Any
    ) -> organization_pb2.GetAllOrganizationsResponse:
        found = self.orchestrator.get_all_organizations(self.caller())
        return organization_pb2.GetAllOrganizationsResponse(
            organizations=[convert.organization_message(o) for o in found]
        )


class FunctionServicer(Servicer, function_pb2_grpc.FunctionServiceServicer):
    def RegisterFunction(self, request: function_pb2.NewFunction, context: Any) -> function_pb2.Function:
        command = convert.new_function(request)
        return convert.function_message(self.orchestrator.register_function(self.caller(), command))

    def GetFunction(self, request: function_pb2.GetFunctionParam, context: Any) -> function_pb2.Function:
        return convert.function_message(self.orchestrator.get_function(self.caller(), request.key))

    def QueryFunctions(
        self, request: function_pb2.QueryFunctionsParam, context: Any
    ) -> function_pb2.QueryFunctionsResponse:
        page_request, plan_key = convert.query_functions(request)
        page = self.orchestrator.query_functions(self.caller(), page_request, plan_key)
        return function_pb2.QueryFunctionsResponse(
            Functions=[convert.function_message(f) for f in page.items], next_page_token=page.next_page_token
        )

    def UpdateFunction(
        self, request: function_pb2.UpdateFunctionParam, context: Any
    ) -> function_pb2.UpdateFunctionResponse:
        self.orchestrator.update_function(self.caller(), convert.update_function(request))
        return function_pb2.UpdateFunctionResponse()

    def ApplyFunctionAction(
        self, request: function_pb2.ApplyFunctionActionParam, context: Any
    ) -> function_pb2.ApplyFunctionActionResponse:
        self.orchestrator.apply_function_action(self.caller(), convert.apply_function_action(request))
        return function_pb2.ApplyFunctionActionResponse()


class DataManagerServicer(Servicer, datamanager_pb2_grpc.DataManagerServiceServicer):
    def RegisterDataManager(
        self, request: datamanager_pb2.NewDataManager, context: Any
    ) -> datamanager_pb2.DataManager:
        command = convert.new_data_manager(request)
        return convert.data_manager_message(self.orchestrator.register_data_manager(self.caller(), command))

    def GetDataManager(
        self, request: datamanager_pb2.GetDataManagerParam, context: Any
    ) -> datamanager_pb2.DataManager:
        return convert.data_manager_message(self.orchestrator.get_data_manager(self.caller(), request.key))

    def QueryDataManagers(
        self, request: datamanager_pb2.QueryDataManagersParam, context: Any
    ) -> datamanager_pb2.QueryDataManagersResponse:
        page = self.orchestrator.query_data_managers(self.caller(), convert.page_request(request))
        return datamanager_pb2.QueryDataManagersResponse(
            data_managers=[convert.data_manager_message(d) for d in page.items],
            next_page_token=page.next_page_token,
        )

    def UpdateDataManager(
        self, request: datamanager_pb2.UpdateDataManagerParam, context: Any
    ) -> datamanager_pb2.UpdateDataManagerResponse:
        self.orchestrator.update_data_manager(self.caller(), convert.update_data_manager(request))
        return datamanager_pb2.UpdateDataManagerResponse()


class DataSampleServicer(Servicer, datasample_pb2_grpc.DataSampleServiceServicer):
    def RegisterDataSamples(
        self, request: datasample_pb2.RegisterDataSamplesParam, context: Any
    ) -> datasample_pb2.RegisterDataSamplesResponse:
        samples = self.orchestrator.register_data_samples(
            self.caller(), convert.register_data_samples(request)
        )
        return datasample_pb2.RegisterDataSamplesResponse(
            data_samples=[convert.data_sample_message(s) for s in samples]
        )

    def UpdateDataSamples(
        self, request: datasample_pb2.UpdateDataSamplesParam, context: Any
    ) -> datasample_pb2.UpdateDataSamplesResponse:
        self.orchestrator.update_data_samples(self.caller(), convert.update_data_samples(request))
        return datasample_pb2.UpdateDataSamplesResponse()

    def QueryDataSamples(
        self, request: datasample_pb2.QueryDataSamplesParam, context: Any
    ) -> datasample_pb2.QueryDataSamplesResponse:
        page_request, keys = convert.query_data_samples(request)
        page = self.orchestrator.query_data_samples(self.caller(), page_request, keys)
        return datasample_pb2.QueryDataSamplesResponse(
            data_samples=[convert.data_sample_message(s) for s in page.items],
            next_page_token=page.next_page_token,
        )

    def GetDataSample(
        self, request: datasample_pb2.GetDataSampleParam, context: Any
    ) -> datasample_pb2.DataSample:
        return convert.data_sample_message(self.orchestrator.get_data_sample(self.caller(), request.key))


class DatasetServicer(Servicer, dataset_pb2_grpc.DatasetServiceServicer):
    def GetDataset(self, request: dataset_pb2.GetDatasetParam, context: Any) -> dataset_pb2.Dataset:
        return convert.dataset_message(self.orchestrator.get_dataset(self.caller(), request.key))
